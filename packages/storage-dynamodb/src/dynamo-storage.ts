import { KvStorage, type KvStorageOptions } from '@avs/storage-kv';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoBackend } from './dynamo-backend.js';
import { type RetryOptions, retryPolicy } from './retry-policy.js';
import { DEFAULT_ITEM_PAYLOAD_BYTES, partitionKey } from './table-layout.js';

/** Options of {@link createDynamoStorage}. */
export interface DynamoStorageOptions extends Omit<KvStorageOptions, 'label'> {
  /** The table (see the README for its layout); one table serves many clusters and nodes. */
  tableName: string;
  /** Cluster identifier: the first half of the partition key. */
  clusterId: string;
  /** This node's id: the second half of the partition key. One open storage per node id. */
  nodeId: string;
  /**
   * A client to use (its lifecycle stays the caller's). Give it `maxAttempts: 1`
   * so only this package's retry policy applies.
   */
  client?: DynamoDBClient;
  /**
   * Configuration of the client created when `client` is not given: `region`,
   * `endpoint` (DynamoDB Local, dynalite, any compatible server), `credentials`.
   * Without them the AWS SDK's default chain applies (environment, profile, role).
   */
  clientConfig?: DynamoDBClientConfig;
  /** Create the table on open when it does not exist (PAY_PER_REQUEST). Default false. */
  createTableIfMissing?: boolean;
  /** Retries on throttling, 5xx and dropped connections. */
  retry?: RetryOptions;
  /** Payload bytes per item for large entries and snapshot chunks. Default 350 000 (DynamoDB's item limit is 400 KB). */
  itemPayloadBytes?: number;
  /** BatchWriteItem calls in flight at once within one write. Default 4. */
  writeConcurrency?: number;
}

/**
 * A Raft `Storage` on DynamoDB. Nothing is contacted until `initialState()`,
 * which (optionally) creates the table and takes over the node's partition,
 * fencing out any earlier storage of the same node id.
 * @param options table, partition (cluster and node id), client, budgets.
 * @returns the storage; pass it to a `RaftNode`, or use it directly.
 * @example
 * const storage = createDynamoStorage({
 *   tableName: 'avs-raft', clusterId: 'mainnet-avs', nodeId: 'operator-1',
 *   clientConfig: { region: 'eu-west-1' }, createTableIfMissing: true,
 * });
 * const { hardState } = await storage.initialState();
 */
export function createDynamoStorage(options: DynamoStorageOptions): KvStorage {
  const { tableName, clusterId, nodeId, client, clientConfig, retry, ...budgets } = options;
  const pk = partitionKey(clusterId, nodeId);
  const backend = new DynamoBackend({
    client: client ?? new DynamoDBClient({ ...clientConfig, maxAttempts: 1 }),
    ownsClient: client === undefined,
    tableName,
    pk,
    retry: retryPolicy(retry),
    itemPayloadBytes: options.itemPayloadBytes ?? DEFAULT_ITEM_PAYLOAD_BYTES,
    writeConcurrency: options.writeConcurrency ?? 4,
    createTableIfMissing: options.createTableIfMissing ?? false,
  });
  return new KvStorage(backend, {
    ...(budgets.tailBytes === undefined ? {} : { tailBytes: budgets.tailBytes }),
    ...(budgets.coldBytes === undefined ? {} : { coldBytes: budgets.coldBytes }),
    ...(budgets.coldReadBytes === undefined ? {} : { coldReadBytes: budgets.coldReadBytes }),
    label: `dynamodb ${tableName} ${pk}`,
  });
}
