/**
 * The whole `Storage` inside a Durable Object in workerd (Miniflare 4):
 * `KvStorage` and `DurableObjectBackend` both run in the object, as under a
 * `RaftNode` there. Random Raft-like operations from the testkit (appends,
 * suffix overwrites, installed and local snapshots, compaction; 5% of
 * payloads 20-80 KB) are replayed in the object in batches; after every
 * batch the object is aborted (memory lost, storage kept), reopens from
 * storage, and must show exactly what the testkit's reference model holds.
 */
import type { Snapshot, Storage, StorageUpdate } from '@avs/raft-core';
import { expectedState, LogModel, randomOperation, SeededRandom } from '@avs/storage-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { resetObject } from './support/remote-backend.js';
import { decodeWire, encodeWire } from './support/wire.js';
import { startStorageWorker } from './support/workerd.js';

const worker = await startStorageWorker();
afterAll(() => worker.dispose());

async function call<T>(object: string, op: string, body: unknown): Promise<T> {
  const res = await fetch(`${worker.url}/${op}?object=${object}`, { method: 'POST', body: encodeWire(body) });
  const decoded = decodeWire<{ value?: T; error?: string }>(await res.text());
  if (!res.ok) throw new Error(`${op} failed: ${decoded.error ?? res.status}`);
  return decoded.value as T;
}

/** A Storage that only records the write calls an operation makes, to replay them in the object. */
function recorder(calls: [string, unknown][]): Storage {
  return {
    save: async (update: StorageUpdate) => void calls.push(['save', update]),
    createSnapshot: async (snapshot: Snapshot) => void calls.push(['createSnapshot', snapshot]),
    compact: async (index: number) => void calls.push(['compact', index]),
  } as unknown as Storage;
}

describe('the whole Storage in a Durable Object', () => {
  it('matches the reference model after every abort, over 240 random operations', async () => {
    const object = `full-${process.pid}`;
    const rng = new SeededRandom(22);
    const model = new LogModel();
    for (let batch = 0; batch < 8; batch++) {
      const calls: [string, unknown][] = [];
      const described: unknown[] = [];
      for (let i = 0; i < 30; i++) {
        const op = randomOperation(rng, model);
        await op.apply(recorder(calls));
        op.applyToModel(model);
        described.push(op.description);
      }
      await call(object, 'full-apply', { calls });
      await resetObject(worker.url, object);
      const observed = await call<{ hardState: unknown }>(object, 'full-observe', {});
      expect(observed, `after batch ${batch}: ${JSON.stringify(described)}`).toEqual({
        hardState: model.hardState,
        ...expectedState(model),
      });
    }
  });
});
