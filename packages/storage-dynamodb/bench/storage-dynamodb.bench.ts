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

import { ENTRY_BYTES, runBackendBench } from '@avs/storage-testkit/bench';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoStorage, ensureTable, retryPolicy } from '../src/index.js';
import { localClient, localClientConfig, startDynalite } from '../test/dynalite-server.js';

const TABLE = 'avs-raft-bench';
const server = await startDynalite();
const client = localClient(server.endpoint);
const data = new Uint8Array(ENTRY_BYTES).fill(7);
try {
  await ensureTable(client, TABLE, true, retryPolicy());
  await runBackendBench({
    name: 'storage-dynamodb',
    rawLabel: 'raw PutItem',
    ratioNote: 'a save is 2 requests',
    context: { server: 'dynalite 4 in-process on 127.0.0.1' },
    async open(name) {
      const storage = createDynamoStorage({
        tableName: TABLE,
        clusterId: 'bench',
        nodeId: name,
        clientConfig: localClientConfig(server.endpoint),
      });
      await storage.initialState();
      return storage;
    },
    async rawOp(n) {
      await client.send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            pk: { S: 'bench#raw' },
            sk: { S: `e#${String(n).padStart(16, '0')}` },
            data: { B: data },
          },
        }),
      );
    },
  });
} finally {
  client.destroy();
  await server.close();
}
