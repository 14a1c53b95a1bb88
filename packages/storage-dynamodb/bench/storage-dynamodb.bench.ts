/**
 * Benchmark of @avs/storage-dynamodb against dynalite started in this process
 * on 127.0.0.1: `pnpm --filter @avs/storage-dynamodb bench`. Figures measure
 * the backend's request pattern plus dynalite (an in-memory emulator sharing
 * this process's CPU), not real DynamoDB latency.
 *
 * 1. Single-entry appends/s (each save awaited: BatchWriteItem of the entry,
 *    then the conditional PutItem of the head item), against a raw loop of one
 *    PutItem of an entry-sized item, interleaved.
 * 2. Batched 256-byte entries/s (1024 entries per save: 41 BatchWriteItem
 *    calls, 4 in flight, then the head).
 *
 * Prints a table; merges its section ("storage-dynamodb") into <repo>/bench-results/storage.json.
 */
import { loadavg } from 'node:os';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  BATCH,
  batchedAppends,
  ENTRY_BYTES,
  mergeStorageResults,
  PHASE_MS,
  perSecond,
  plus,
  type Rate,
  singleAppends,
  timed,
} from '../../storage-kv/bench/workloads.js';
import { createDynamoStorage, ensureTable, retryPolicy } from '../src/index.js';
import { localClient, localClientConfig, startDynalite } from '../test/dynalite-server.js';

const TABLE = 'avs-raft-bench';

async function main(): Promise<void> {
  const server = await startDynalite();
  const client = localClient(server.endpoint);
  try {
    await ensureTable(client, TABLE, true, retryPolicy());
    const open = async (nodeId: string) => {
      const storage = createDynamoStorage({
        tableName: TABLE,
        clusterId: 'bench',
        nodeId,
        clientConfig: localClientConfig(server.endpoint),
      });
      await storage.initialState();
      return storage;
    };
    const data = new Uint8Array(ENTRY_BYTES).fill(7);
    const rawPuts = (ms: number, start: number): Promise<Rate> =>
      timed(ms, async (n) => {
        await client.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              pk: { S: 'bench#raw' },
              sk: { S: `e#${String(start + n).padStart(16, '0')}` },
              data: { B: data },
            },
          }),
        );
        return 1;
      });
    const storage = await open('single');
    let raw: Rate = { ops: 0, seconds: 0 };
    let single: Rate = { ops: 0, seconds: 0 };
    for (let round = 0; round < 2; round++) {
      raw = plus(raw, await rawPuts(PHASE_MS, raw.ops));
      single = plus(single, await singleAppends(storage, PHASE_MS));
    }
    await storage.close();
    const batchedStorage = await open('batched');
    const batched = await batchedAppends(batchedStorage, PHASE_MS * 2);
    await batchedStorage.close();

    const section = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      server: 'dynalite 4 in-process on 127.0.0.1',
      singleEntryAppendsPerSec: Math.round(perSecond(single)),
      rawPutItemPerSec: Math.round(perSecond(raw)),
      singleVsRawRatio: Number((perSecond(single) / perSecond(raw)).toFixed(3)),
      batchedEntriesPerSec: Math.round(perSecond(batched)),
      batchedEntryBytes: ENTRY_BYTES,
      batchSize: BATCH,
      // Other work on the machine skews every figure: recorded so a reader can judge.
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    };
    console.table({
      'raw PutItem (ops/s)': { value: section.rawPutItemPerSec },
      'single-entry save (appends/s)': { value: section.singleEntryAppendsPerSec },
      'single / raw (a save is 2 requests)': { value: section.singleVsRawRatio },
      [`batched ${ENTRY_BYTES} B entries (entries/s)`]: { value: section.batchedEntriesPerSec },
    });
    console.log(`wrote ${await mergeStorageResults('storage-dynamodb', section)}`);
  } finally {
    client.destroy();
    await server.close();
  }
}

await main();
