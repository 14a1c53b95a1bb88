import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapStorage } from '@avs/raft-core';
import { FileStorage } from '@avs/storage-file';
import { describe, expect, it } from 'vitest';
import { minimalConfig } from '../config-fixture.js';
import { runCli } from './program.js';
import { captureIo } from './test-io.js';

const survivor = '0x7e5f4552091a69125d5dfcb7b8c2659029395bdf';
const lost = ['0x2b5ad5c4795c026514f8317c7a215e218dccd6cf', '0x6813eb9362372eef6200f3b1dbc3f819671cba69'];

/** A config whose file storage holds a committed 3-voter configuration (as a cluster that lost two voters leaves it). */
async function setUp(): Promise<{ dir: string; config: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'op-recover-'));
  const storage = await FileStorage.open({ dir: join(dir, 'data') });
  await bootstrapStorage(storage, { voters: [survivor, ...lost] });
  await storage.close();
  await writeFile(join(dir, 'ecdsa.json'), JSON.stringify({ address: survivor.slice(2), version: 3 }));
  const config = join(dir, 'operator.json');
  await writeFile(
    config,
    JSON.stringify({
      ...minimalConfig,
      keys: { ecdsaKeystore: 'ecdsa.json', blsKeystore: 'bls.json' },
      storage: { kind: 'file', dir: 'data' },
    }),
  );
  return { dir, config };
}

describe('avs-operator recover --force-new-cluster', () => {
  it('rewrites the storage so this operator is the only voter (address from the keystore)', async () => {
    const { dir, config } = await setUp();
    const c = captureIo();
    expect(await runCli(['recover', '--force-new-cluster', '--config', config], c.io)).toBe(0);
    expect(c.stderr()).toBe('');
    expect(JSON.parse(c.stdout().slice(0, c.stdout().lastIndexOf('}') + 1))).toMatchObject({
      voters: [survivor],
      learners: [],
      keptCommittedIndex: 3,
    });
    const storage = await FileStorage.open({ dir: join(dir, 'data') });
    try {
      const init = await storage.initialState();
      expect(init.snapshotMetadata.confState.voters).toEqual([survivor]);
      expect(init.hardState.commit).toBe(init.snapshotMetadata.index);
      expect(init.snapshotMetadata.index).toBeGreaterThan(3);
    } finally {
      await storage.close();
    }
  });

  it('refuses without --force-new-cluster, and names a missing address (exit 2, nothing written)', async () => {
    const { dir, config } = await setUp();
    const c = captureIo();
    expect(await runCli(['recover', '--config', config], c.io)).toBe(2);
    expect(c.stderr()).toMatch(/pass --force-new-cluster/);
    await writeFile(join(dir, 'ecdsa.json'), '{}');
    const d = captureIo();
    expect(await runCli(['recover', '--force-new-cluster', '--config', config], d.io)).toBe(2);
    expect(d.stderr()).toMatch(/--address: expected this operator's 0x address/);
    const storage = await FileStorage.open({ dir: join(dir, 'data') });
    try {
      expect((await storage.initialState()).snapshotMetadata.index).toBe(0);
    } finally {
      await storage.close();
    }
  });
});
