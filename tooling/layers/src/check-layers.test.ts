import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLayers, forbidden, workspacePackages } from './check-layers.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const roots: string[] = [];
// Built at run time so this file's own text holds no import of a higher package for the check to find.
const from = (spec: string) => `from '${spec}'`;

/** A throwaway workspace: `files` maps paths to contents; package.json files are objects. */
function workspace(files: Record<string, string | object>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  roots.push(root);
  const all: Record<string, string | object> = {
    'pnpm-workspace.yaml':
      'packages:\n  - packages/*\n  - apps/*\n  - tooling/*\nallowBuilds:\n  esbuild: true\n',
    'packages/raft-core/package.json': { name: '@avs/raft-core' },
    'packages/raft-core/src/index.ts': 'export const x = 1;\n',
    'packages/engine/package.json': {
      name: '@avs/engine',
      dependencies: { '@avs/raft-core': 'workspace:*' },
    },
    'packages/engine/src/index.ts': `import { x } ${from('@avs/raft-core')};\nexport const y = x;\n`,
    'tooling/config/package.json': { name: '@avs/tooling-config' },
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('checkLayers', () => {
  it('passes imports that run down a layer', () => {
    expect(checkLayers(workspace({}))).toEqual([]);
  });

  it('catches a planted upward import in a source file, with its line', () => {
    const root = workspace({
      'packages/raft-core/src/leak.ts': `// fine: ${from('@avs/engine')} in a comment\nimport type {\n  Engine,\n} ${from('@avs/engine/sub')};\n`,
    });
    const found = checkLayers(root);
    expect(found.map((v) => v.where)).toEqual(['packages/raft-core/src/leak.ts:4']);
    expect(found[0]?.reason).toBe('runs up a layer: @avs/raft-core (core) imports @avs/engine (engine)');
  });

  it('catches an upward dependency in package.json and a relative import into a higher package', () => {
    const root = workspace({
      'packages/raft-core/package.json': { name: '@avs/raft-core', devDependencies: { '@avs/engine': '*' } },
      'packages/raft-core/test/reach.test.ts': `export { y } ${from('../../engine/src/index.js')};\n`,
    });
    expect(checkLayers(root).map((v) => v.where)).toEqual([
      'packages/raft-core/package.json (devDependencies)',
      'packages/raft-core/test/reach.test.ts:1',
    ]);
  });

  it('catches dynamic imports and an app imported by the engine', () => {
    const root = workspace({
      'apps/kv/package.json': { name: '@avs/kv' },
      'packages/engine/src/late.ts': `export const load = () => ${'import'}('${'@avs/kv'}');\n`,
    });
    expect(checkLayers(root).map((v) => `${v.where} ${v.to}`)).toEqual([
      'packages/engine/src/late.ts:1 @avs/kv',
    ]);
  });

  it('keeps the engine apart from the chain client and ethers, in package.json and in any file', () => {
    const root = workspace({
      'packages/chain/package.json': { name: '@avs/chain', dependencies: { ethers: '^6' } },
      'packages/chain/src/index.ts': `export { id } ${from('ethers')};\n`,
      'packages/engine/package.json': {
        name: '@avs/engine',
        dependencies: { '@avs/raft-core': 'workspace:*' },
        devDependencies: { '@avs/chain': 'workspace:*', ethers: '^6' },
      },
      'packages/engine/test/join.test.ts': `import { Wallet } ${from('ethers/wallet')};\nexport const w = Wallet;\n`,
      'packages/engine/src/chain.ts': `export type { X } ${from('@avs/chain')};\n`,
    });
    const found = checkLayers(root).map((v) => `${v.where} ${v.to}`);
    expect(found).toEqual([
      'packages/engine/package.json (devDependencies) @avs/chain',
      'packages/engine/package.json (devDependencies) ethers',
      'packages/engine/src/chain.ts:1 @avs/chain',
      'packages/engine/test/join.test.ts:1 ethers',
    ]);
    expect(checkLayers(root)[0]?.reason).toMatch(/^kept apart: @avs\/engine may not import @avs\/chain/);
  });

  it('refuses a package the layer table does not place', () => {
    const root = workspace({ 'packages/new-thing/package.json': { name: '@avs/new-thing' } });
    const root2 = workspace({
      'packages/new-thing/package.json': { name: '@avs/new-thing' },
      'packages/engine/src/new.ts': `${'import'} '${'@avs/new-thing'}';\n`,
    });
    expect(checkLayers(root)).toEqual([]);
    expect(checkLayers(root2)[0]?.reason).toMatch(/@avs\/new-thing has no layer/);
  });
});

describe('forbidden', () => {
  it('lets every package import the configuration beside the layers, and the configuration import none', () => {
    expect(forbidden('@avs/raft-core', '@avs/tooling-config')).toBeUndefined();
    expect(forbidden('@avs/tooling-config', '@avs/raft-core')).toMatch(/beside the layers/);
  });

  it('allows imports across one layer and refuses storage importing the engine', () => {
    expect(forbidden('@avs/storage-level', '@avs/storage-kv')).toBeUndefined();
    expect(forbidden('@avs/storage-file', '@avs/engine')).toMatch(/runs up a layer/);
    expect(forbidden('@avs/operator', '@avs/chaos')).toMatch(/runs up a layer/);
  });

  it('keeps the chain client below the engine: only engine-chain binds the two', () => {
    expect(forbidden('@avs/chain', '@avs/engine')).toMatch(/runs up a layer/);
    // The layer order alone would allow it (engine sits above chain); issue 18 keeps them apart.
    expect(forbidden('@avs/engine', '@avs/chain')).toMatch(/^kept apart/);
    expect(forbidden('@avs/engine-chain', '@avs/chain')).toBeUndefined();
    expect(forbidden('@avs/engine-chain', '@avs/engine')).toBeUndefined();
  });
});

describe('this repository', () => {
  it('places every workspace package in a layer and has no upward import', () => {
    const names = workspacePackages(repoRoot).map((p) => p.name);
    expect(names).toContain('@avs/raft-core');
    expect(names).toContain('@avs/operator');
    expect(checkLayers(repoRoot)).toEqual([]);
  });
});
