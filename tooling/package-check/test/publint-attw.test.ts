/**
 * Every publishable package, as packed, passes publint (no errors or warnings)
 * and arethetypeswrong (types resolve under node10, node16 ESM and bundler;
 * the packages are ESM-only, so node16 CommonJS is out of scope), and carries
 * what publishing needs.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { problemAffectsResolutionKind } from '@arethetypeswrong/core/problems';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack, publishablePackages, repoRoot } from '../src/packed-packages.js';

const packages = publishablePackages();
const rootManifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<
  string,
  unknown
>;
let dir: string;
const tarballs = new Map<string, Uint8Array>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'avs-pack-'));
  for (const pkg of packages) tarballs.set(pkg.name, new Uint8Array(await readFile(await pack(pkg, dir))));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(packages.map((p) => [p.name, p] as const))('%s as packed', (_, pkg) => {
  it('has what publishing needs: engines, publishConfig, files, repository, ./package.json, the npm publish guard', () => {
    const m = pkg.manifest as Record<string, Record<string, unknown>>;
    expect(m.engines?.node).toBe('>=20.19');
    expect(m.publishConfig?.access).toBe('public');
    expect(Array.isArray(m.files)).toBe(true);
    expect(m.exports?.['./package.json']).toBe('./package.json');
    expect(m.scripts?.prepublishOnly).toBe('node ../../tooling/scripts/publish-guard.mjs');
    // One repository for all: the root's URL, and the package's own folder so npm links to it.
    expect(m.repository).toEqual({
      type: 'git',
      url: (rootManifest.repository as Record<string, unknown>).url,
      directory: relative(repoRoot, pkg.dir),
    });
  });

  it('passes publint', async () => {
    const tarball = tarballs.get(pkg.name)!;
    const { messages, pkg: manifest } = await publint({
      pack: { tarball: tarball.buffer.slice(0) as ArrayBuffer },
      level: 'warning',
    });
    expect(messages.map((m) => formatMessage(m, manifest) ?? m.code)).toEqual([]);
    // pnpm pack rewrote the workspace's ranges to versions (npm pack would not: hence the guard).
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
  });

  it('passes arethetypeswrong for node10, node16 (ESM) and bundler resolution', async () => {
    const analysis = await checkPackage(createPackageFromTarballData(tarballs.get(pkg.name)!));
    expect(analysis.types).not.toBe(false);
    if (analysis.types === false) return;
    const problems = analysis.problems.filter((problem) =>
      (['node10', 'node16-esm', 'bundler'] as const).some((kind) =>
        problemAffectsResolutionKind(problem, kind, analysis),
      ),
    );
    expect(problems).toEqual([]);
  });
});
