import { type Entry, EntryType, type Snapshot, type Storage } from '@avs/raft-core';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type DynaliteServer,
  localClient,
  localClientConfig,
  startDynalite,
} from '../test/dynalite-server.js';
import { FaultProxy } from '../test/fault-proxy.js';
import { createDynamoStorage, type DynamoStorageOptions } from './dynamo-storage.js';
import { entrySortKey, parseEntrySortKey } from './table-layout.js';

const TABLE = 'avs-raft-unit';
let server: DynaliteServer;
let proxy: FaultProxy;
let raw: DynamoDBClient;
let nodes = 0;
const opened: Storage[] = [];

beforeAll(async () => {
  server = await startDynalite();
  proxy = await FaultProxy.start(server.endpoint);
  raw = localClient(server.endpoint);
  // The first storage creates the table; the rest find it.
  const first = createDynamoStorage({ ...options('setup'), createTableIfMissing: true });
  await first.initialState();
  await first.close();
});

afterEach(async () => {
  proxy.failAlways(undefined);
  for (const storage of opened.splice(0)) await storage.close().catch(() => undefined);
});

afterAll(async () => {
  raw?.destroy();
  await proxy?.close();
  await server?.close();
});

function options(nodeId: string, endpoint = server.endpoint): DynamoStorageOptions {
  return {
    tableName: TABLE,
    clusterId: 'unit',
    nodeId,
    clientConfig: localClientConfig(endpoint),
    retry: { baseDelayMs: 1, maxDelayMs: 20, attempts: 5 },
  };
}

async function open(extra: Partial<DynamoStorageOptions> & { nodeId: string }): Promise<Storage> {
  const storage = createDynamoStorage({ ...options(extra.nodeId), ...extra });
  opened.push(storage);
  await storage.initialState();
  return storage;
}

function entries(from: number, to: number, term: number, size = 16): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) {
    out.push({
      index: i,
      term,
      type: EntryType.Normal,
      data: new Uint8Array(size).map((_, j) => (i + j) % 256),
    });
  }
  return out;
}

function snapshot(index: number, term: number): Snapshot {
  const confState = { voters: ['n1'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false };
  return { metadata: { index, term, confState }, data: new Uint8Array(40).fill(index) };
}

/** Every item of a node's partition, straight from the table. */
async function items(nodeId: string): Promise<Array<Record<string, AttributeValue>>> {
  const out: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await raw.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `unit#${nodeId}` } },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    out.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

const sortKeys = async (nodeId: string) => (await items(nodeId)).map((item) => item.sk!.S!);
const nextNode = () => `n${++nodes}`;

describe('DynamoDB storage on dynalite', () => {
  it('fences out the first writer once a second storage opens the same node id', async () => {
    const nodeId = nextNode();
    const first = await open({ nodeId });
    await first.save({ entries: entries(1, 3, 1), hardState: { term: 1, vote: 'n1', commit: 2 } });
    const second = await open({ nodeId });
    expect(second.lastIndex()).toBe(3);
    // The first writer's next commit fails its condition: a typed fatal error, and nothing it wrote is visible.
    await expect(first.save({ entries: entries(4, 6, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
      cause: { code: 'DYNAMO_FENCED', name: 'DynamoFencedError', epoch: 1 },
    });
    await expect(first.save({ hardState: { term: 9, vote: 'x', commit: 3 } })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
    // Its entry items at 4..6 were written (epoch 1) but the head never pointed at them.
    await second.save({ entries: entries(4, 5, 2) });
    await second.close();
    const third = await open({ nodeId });
    expect(third.lastIndex()).toBe(5);
    expect(third.entries(1, 6, 10_000).map((e) => e.term)).toEqual([1, 1, 1, 2, 2]);
    expect((await third.initialState()).hardState).toEqual({ term: 1, vote: 'n1', commit: 2 });
  });

  it('retries throttled requests with backoff and succeeds', async () => {
    const nodeId = nextNode();
    const storage = createDynamoStorage(options(nodeId, proxy.endpoint));
    opened.push(storage);
    await storage.initialState();
    proxy.failNext('throttle', 3);
    proxy.failNext('server-error', 1);
    await storage.save({ entries: entries(1, 30, 1), hardState: { term: 1, vote: '', commit: 0 } });
    expect(proxy.injected.get('throttle')).toBeGreaterThanOrEqual(3);
    await storage.close();
    const again = await open({ nodeId });
    expect(again.lastIndex()).toBe(30);
  });

  it('fails fatally once throttling outlasts every attempt, and refuses later writes', async () => {
    const nodeId = nextNode();
    const storage = createDynamoStorage(options(nodeId, proxy.endpoint));
    opened.push(storage);
    await storage.initialState();
    proxy.failAlways('throttle');
    await expect(storage.save({ entries: entries(1, 2, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
      cause: {
        code: 'DYNAMO_RETRIES_EXHAUSTED',
        attempts: 5,
        cause: { name: 'ProvisionedThroughputExceededException' },
      },
    });
    proxy.failAlways(undefined);
    await expect(storage.save({ entries: entries(1, 2, 1) })).rejects.toMatchObject({
      code: 'STORAGE_FATAL',
    });
  });

  it('resends UnprocessedItems of BatchWriteItem', async () => {
    const nodeId = nextNode();
    const storage = createDynamoStorage(options(nodeId, proxy.endpoint));
    opened.push(storage);
    await storage.initialState();
    const before = proxy.seen.get('BatchWriteItem') ?? 0;
    proxy.failNext('unprocess-batch', 2, 'BatchWriteItem');
    await storage.save({ entries: entries(1, 10, 1) });
    expect((proxy.seen.get('BatchWriteItem') ?? 0) - before).toBe(3);
    await storage.close();
    expect((await open({ nodeId })).entries(1, 11, 10_000)).toEqual(entries(1, 10, 1));
  });

  it('splits an entry larger than one item into parts and reassembles it', async () => {
    const nodeId = nextNode();
    const storage = await open({ nodeId, itemPayloadBytes: 1000 });
    const big = entries(2, 2, 1, 2_500);
    await storage.save({ entries: [...entries(1, 1, 1), ...big, ...entries(3, 3, 1)] });
    const keys = (await sortKeys(nodeId)).filter((sk) => sk.startsWith('e#'));
    expect(keys.map((sk) => parseEntrySortKey(sk))).toEqual([
      { index: 1, epoch: 1, part: 0 },
      { index: 2, epoch: 1, part: 0 },
      { index: 2, epoch: 1, part: 1 },
      { index: 2, epoch: 1, part: 2 },
      { index: 3, epoch: 1, part: 0 },
    ]);
    await storage.close();
    const again = await open({ nodeId, itemPayloadBytes: 1000 });
    expect(again.entries(2, 3, 0)).toEqual(big);
  });

  it('deletes compacted entries, superseded items and replaced snapshot chunks', async () => {
    const nodeId = nextNode();
    const first = await open({ nodeId, itemPayloadBytes: 16 });
    await first.save({ entries: entries(1, 10, 1) });
    await first.createSnapshot(snapshot(4, 1));
    await first.close();
    // A new epoch overwrites 8..10 with a shorter suffix, then compacts.
    const second = await open({ nodeId, itemPayloadBytes: 16 });
    await second.save({ entries: entries(8, 8, 2) });
    await second.createSnapshot(snapshot(6, 1));
    await second.compact(6);
    const keys = await sortKeys(nodeId);
    expect(keys.filter((sk) => sk.startsWith('e#')).map((sk) => parseEntrySortKey(sk))).toEqual([
      { index: 7, epoch: 1, part: 0 },
      { index: 8, epoch: 2, part: 0 },
    ]);
    // The snapshot at 4 is gone; the one at 6 is 40 bytes in chunks of 16.
    expect(keys.filter((sk) => sk.startsWith('s#'))).toHaveLength(3);
    await second.close();
    const again = await open({ nodeId });
    expect([again.firstIndex(), again.lastIndex(), again.term(6)]).toEqual([7, 8, 1]);
    expect(again.snapshot()).toEqual(snapshot(6, 1));
  });

  it('refuses to open over a malformed head item or a missing entry item', async () => {
    const nodeId = nextNode();
    const storage = await open({ nodeId });
    await storage.save({ entries: entries(1, 3, 1) });
    await storage.close();
    const key = (sk: string) => ({ pk: { S: `unit#${nodeId}` }, sk: { S: sk } });
    await raw.send(new DeleteItemCommand({ TableName: TABLE, Key: key(entrySortKey(2, 1)) }));
    const missing = createDynamoStorage(options(nodeId));
    await expect(missing.initialState()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
      message: expect.stringContaining('entry 2 is missing'),
    });
    await missing.close();
    await raw.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { ...key('head'), epoch: { N: '7' }, doc: { S: '{"state": 1}' } },
      }),
    );
    const malformed = createDynamoStorage(options(nodeId));
    await expect(malformed.initialState()).rejects.toMatchObject({
      code: 'STORAGE_CORRUPT',
      name: 'StorageCorruptError',
    });
    await malformed.close();
  });

  it('refuses a missing table unless asked to create it', async () => {
    const missing = createDynamoStorage({ ...options(nextNode()), tableName: 'avs-raft-missing' });
    await expect(missing.initialState()).rejects.toMatchObject({
      code: 'DYNAMO_TABLE',
      name: 'DynamoTableError',
    });
    await missing.close();
    const created = await open({
      nodeId: nextNode(),
      tableName: 'avs-raft-created',
      createTableIfMissing: true,
    });
    await created.save({ entries: entries(1, 1, 1) });
    expect(created.lastIndex()).toBe(1);
  });
});
