/**
 * Each README quick-start as a new user runs it: a fresh project in a temporary
 * directory, the README's install line with the packed tarballs standing in for
 * the registry's @avs packages (everything else comes from the npm registry),
 * then the README's example run as written. With npm and with pnpm.
 *
 * The example is the first TypeScript block after the Install section, taken
 * from the README at test time so the test cannot drift from the doc. Each runs
 * as a child process with a bounded time (killed past it); the examples close
 * every node and server they start, so a clean exit is part of the check.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, publishablePackages } from '../src/packed-packages.js';

const run = promisify(execFile);
const packages = new Map(publishablePackages().map((p) => [p.name, p]));
let dir: string;
const tarballs = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avs-quickstart-'));
  const needed = ['@avs/raft-core', '@avs/retry', '@avs/bls', '@avs/transport-http', '@avs/engine'];
  // The engine's install lines: @avs/engine-chain with @avs/chain (and its @avs/contracts), the real network and storage.
  needed.push('@avs/engine-chain', '@avs/chain', '@avs/contracts', '@avs/storage-file');
  for (const name of needed) {
    tarballs.set(name, await pack(packages.get(name)!, dir));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The README's install line(s) (`pnpm add …` in the Install section) and the first TypeScript example after it. */
async function readme(name: string): Promise<{ installs: string[]; example: string }> {
  const text = await readFile(join(packages.get(name)!.dir, 'README.md'), 'utf8');
  const install = text.slice(text.indexOf('## Install'));
  const block = install.slice(
    install.indexOf('```sh') + 5,
    install.indexOf('```', install.indexOf('```sh') + 5),
  );
  const installs = block
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l.startsWith('pnpm add '))
    .flatMap((l) => l.slice('pnpm add '.length).split(/\s+/).filter(Boolean));
  const start = install.indexOf('```ts');
  const example = install.slice(start + 5, install.indexOf('```', start + 5));
  return { installs, example };
}

/** Installs `names` into a fresh project, @avs packages from the tarballs. */
async function freshProject(manager: 'npm' | 'pnpm', names: string[]): Promise<string> {
  const project = await mkdtemp(join(dir, `${manager}-`));
  // The packed packages depend on each other by version: point the ones not installed directly at
  // the tarballs too (npm refuses an override that differs from a direct dependency's spec).
  const overrides = Object.fromEntries(
    [...tarballs].filter(([n]) => !names.includes(n)).map(([n, t]) => [n, `file:${t}`]),
  );
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'quickstart', private: true, type: 'module', overrides }, null, 2),
  );
  // pnpm 12 reads its settings from pnpm-workspace.yaml; tsx's esbuild needs its install script.
  const yaml = [
    'allowBuilds:',
    '  esbuild: true',
    'overrides:',
    // pnpm does not satisfy a dependency's `0.1.0` from a direct tarball: override every one.
    ...[...tarballs].map(([n, t]) => `  "${n}": "file:${t}"`),
  ];
  if (manager === 'pnpm') await writeFile(join(project, 'pnpm-workspace.yaml'), `${yaml.join('\n')}\n`);
  const specs = [...names.map((n) => (tarballs.has(n) ? `file:${tarballs.get(n)}` : n)), 'tsx'];
  const args =
    manager === 'npm'
      ? ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs]
      : ['add', '--prefer-offline', '--config.confirmModulesPurge=false', ...specs];
  await run(manager, args, {
    cwd: project,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CI: 'true' },
  });
  return project;
}

async function runExample(project: string, code: string): Promise<string> {
  await writeFile(join(project, 'example.ts'), code);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'example.ts'], {
    cwd: project,
    // A hung example (a node or server left open) fails here instead of holding the run.
    timeout: 120_000,
    killSignal: 'SIGKILL',
  });
  return stdout;
}

describe.each(['npm', 'pnpm'] as const)('README quick-starts with %s', (manager) => {
  it('@avs/raft-core: the 3-node cluster example runs as written', async () => {
    const { installs, example } = await readme('@avs/raft-core');
    const project = await freshProject(manager, installs);
    expect(await runExample(project, example)).toContain('previous value of x: undefined');
  });

  it('@avs/bls: the sign-and-aggregate example runs as written', async () => {
    const { installs, example } = await readme('@avs/bls');
    const project = await freshProject(manager, installs);
    // The example ends without output; append a check that it aggregated.
    const stdout = await runExample(project, `${example}\nconsole.log('status', result.status);\n`);
    expect(stdout).toContain('status aggregated');
  });

  it('@avs/transport-http: three nodes elect a leader and commit over authenticated HTTP, as written', async () => {
    const { installs, example } = await readme('@avs/transport-http');
    const project = await freshProject(manager, installs);
    expect(await runExample(project, example)).toMatch(/^leader 0x[0-9a-f]{40} committed entry 1$/m);
  });

  it('@avs/engine: an in-memory cluster answers and submits one task, as written', async () => {
    const { installs, example } = await readme('@avs/engine');
    const project = await freshProject(manager, installs);
    expect(await runExample(project, example)).toContain('task 1 submitted, signed by 3 operators');
  });
});
