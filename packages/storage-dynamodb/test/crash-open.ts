import type { Storage } from '@avs/raft-core';
import { createDynamoStorage } from '../src/index.js';
import { localClientConfig } from './dynalite-server.js';

/**
 * Opens the DynamoDB storage in the conformance suite's crash child: the
 * dynalite server runs in the parent test process; its endpoint and the table
 * come through the environment, the node id is the suite's location.
 */
export async function openStorage(location: string): Promise<Storage> {
  const endpoint = process.env.AVS_TEST_DYNAMO_ENDPOINT;
  const tableName = process.env.AVS_TEST_DYNAMO_TABLE;
  if (!endpoint || !tableName)
    throw new Error('AVS_TEST_DYNAMO_ENDPOINT and AVS_TEST_DYNAMO_TABLE must be set');
  return createDynamoStorage({
    tableName,
    clusterId: 'conformance',
    nodeId: location,
    clientConfig: localClientConfig(endpoint),
    retry: { baseDelayMs: 5, maxDelayMs: 100 },
  });
}
