import { fileURLToPath } from 'node:url';
import { describeStorageConformance } from '@avs/storage-testkit';
import { afterAll, beforeAll } from 'vitest';
import { createDynamoStorage, type DynamoStorageOptions, ensureTable, retryPolicy } from '../src/index.js';
import { type DynaliteServer, localClient, localClientConfig, startDynalite } from './dynalite-server.js';
import { FaultProxy } from './fault-proxy.js';

const TABLE = 'avs-raft-conformance';
let server: DynaliteServer;
let proxy: FaultProxy;
let locations = 0;
/** Filled in once dynalite listens; the crash case reads it when it spawns the child. */
const childEnv: Record<string, string> = { AVS_TEST_DYNAMO_TABLE: TABLE };

beforeAll(async () => {
  server = await startDynalite();
  proxy = await FaultProxy.start(server.endpoint);
  childEnv.AVS_TEST_DYNAMO_ENDPOINT = server.endpoint;
  const client = localClient(server.endpoint);
  await ensureTable(client, TABLE, true, retryPolicy());
  client.destroy();
});

afterAll(async () => {
  await proxy?.close();
  await server?.close();
});

function options(nodeId: string, endpoint: string): DynamoStorageOptions {
  return {
    tableName: TABLE,
    clusterId: 'conformance',
    nodeId,
    clientConfig: localClientConfig(endpoint),
    retry: { baseDelayMs: 2, maxDelayMs: 50, attempts: 4 },
  };
}

describeStorageConformance(
  '@avs/storage-dynamodb on dynalite',
  {
    // A location is a node id: a fresh partition of the shared table.
    createLocation: async () => `node-${++locations}`,
    open: async (nodeId) => createDynamoStorage(options(nodeId, server.endpoint)),
    // 64 entries of the cold case's 1 KiB in the tail, 128 in the cold cache: most reads must load.
    openCold: async (nodeId) =>
      createDynamoStorage({
        ...options(nodeId, server.endpoint),
        tailBytes: 64 * 1024,
        coldBytes: 128 * 1024,
        coldReadBytes: 32 * 1024,
      }),
    openWithFaults: async (nodeId) => {
      proxy.failAlways(undefined);
      const storage = createDynamoStorage(options(nodeId, proxy.endpoint));
      // From now on every request dies on the wire: retried, then the write fails for real.
      return { storage, injectFault: () => proxy.failAlways('drop-connection') };
    },
    // Two kill rounds (the default is three): every child loads the AWS SDK from sources, slow on a busy CI machine.
    crash: { module: fileURLToPath(new URL('./crash-open.ts', import.meta.url)), env: childEnv, rounds: 2 },
  },
  // Every operation is several HTTP round trips to dynalite: half the default count keeps the run short.
  { largeEntryBytes: 1.5 * 1024 * 1024, randomOperations: 150 },
);
