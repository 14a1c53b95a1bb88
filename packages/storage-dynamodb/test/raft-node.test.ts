import { afterAll, beforeAll, it } from 'vitest';
import { runRaftNodeScenario } from '../../storage-kv/test/raft-node-scenario.js';
import { createDynamoStorage } from '../src/index.js';
import { type DynaliteServer, localClientConfig, startDynalite } from './dynalite-server.js';

let server: DynaliteServer;
beforeAll(async () => {
  server = await startDynalite();
});
afterAll(async () => {
  await server?.close();
});

it('runs a RaftNode on DynamoDB (dynalite): proposes, snapshots, compacts, restarts with the same state', async () => {
  await runRaftNodeScenario(() =>
    createDynamoStorage({
      tableName: 'avs-raft-node',
      clusterId: 'scenario',
      nodeId: 'a',
      clientConfig: localClientConfig(server.endpoint),
      createTableIfMissing: true,
    }),
  );
});
