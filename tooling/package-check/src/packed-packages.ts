/**
 * The workspace's publishable packages and their tarballs as `pnpm pack` makes
 * them (what `pnpm publish` would upload: `workspace:*` replaced by versions).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository's root directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A publishable package of `packages/`. */
export interface WorkspacePackage {
  readonly name: string;
  readonly dir: string;
  readonly manifest: Record<string, unknown>;
}

/** Every package under `packages/` that is not private. */
export function publishablePackages(): WorkspacePackage[] {
  const base = join(repoRoot, 'packages');
  return readdirSync(base)
    .map((entry) => join(base, entry))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ name: String(manifest.name), dir, manifest }));
}

/** Packs `pkg` into `destination` with pnpm; returns the tarball's path. */
export async function pack(pkg: WorkspacePackage, destination: string): Promise<string> {
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination], {
    cwd: pkg.dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarball = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((line) => line.endsWith('.tgz'));
  if (!tarball) throw new Error(`pnpm pack printed no tarball for ${pkg.name}:\n${stdout}`);
  return tarball.startsWith('/') ? tarball : join(destination, tarball);
}
