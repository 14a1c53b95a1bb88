import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AnvilNotFoundError } from './errors.js';

const platformPackages: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/**
 * Path of the anvil binary shipped by `@foundry-rs/anvil`'s platform package. We spawn the binary
 * itself, not the package's Node wrapper, which leaves anvil running when the wrapper is SIGKILLed.
 * `AVS_ANVIL_PATH` overrides the lookup.
 * @throws AnvilNotFoundError if neither is available.
 */
export function anvilBinaryPath(): string {
  const override = process.env.AVS_ANVIL_PATH;
  if (override) {
    if (!existsSync(override)) throw new AnvilNotFoundError(`AVS_ANVIL_PATH=${override} does not exist`);
    return override;
  }
  const key = `${process.platform}-${process.arch}`;
  const pkg = platformPackages[key];
  if (!pkg) throw new AnvilNotFoundError(`@foundry-rs/anvil has no binary for ${key}`);
  try {
    // The platform package is an optional dependency of @foundry-rs/anvil: resolve it from there.
    const fromHere = createRequire(import.meta.url);
    const wrapperDir = dirname(fromHere.resolve('@foundry-rs/anvil/package.json'));
    const fromWrapper = createRequire(join(wrapperDir, 'package.json'));
    const binDir = join(dirname(fromWrapper.resolve(`${pkg}/package.json`)), 'bin');
    const path = join(binDir, process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (!existsSync(path)) throw new Error(`${path} is missing`);
    return path;
  } catch (cause) {
    throw new AnvilNotFoundError(
      `cannot find ${pkg}: install @foundry-rs/anvil, an optional peer of @avs/contracts (npm i -D @foundry-rs/anvil, optional dependencies kept): ${(cause as Error).message}`,
      { cause },
    );
  }
}
