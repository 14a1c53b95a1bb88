/**
 * `DynamoBackend`: the durable half of a `KvStorage` on one DynamoDB partition per node.
 *
 * Owns: the head item (the committed state: hard state, log bounds, segment epochs, snapshot pointer),
 * entry items and snapshot chunks, the epoch takeover at open, and batched writes with their retries.
 *
 * Pitfalls it guards:
 * - No transactions (dynalite and many setups lack them): a change becomes visible only through one
 *   conditional PutItem of the head, after everything it points to is written.
 * - Two processes opening the same node: the second raises the epoch, and every head write is
 *   conditional on the writer's epoch, so the first is fenced out (`DynamoFencedError`) instead of
 *   interleaving writes.
 * - BatchWriteItem may leave items unprocessed without failing: they are resent with backoff until none
 *   are left or the attempts run out (`DynamoRetriesExhaustedError`).
 * - Item size limits: large entries and snapshots are split into parts of `itemPayloadBytes`.
 */
import type { Entry, Snapshot } from '@avs/raft-core';
import { backoffDelay } from '@avs/retry';
import {
  EMPTY_SNAPSHOT,
  entrySize,
  type KvBackend,
  type LoadedLog,
  type LogChange,
  StorageCorruptError,
} from '@avs/storage-kv';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { EntryAssembler, entryItems } from './entry-items.js';
import { DynamoFencedError, DynamoRetriesExhaustedError } from './errors.js';
import {
  decodeHead,
  emptyHead,
  encodeHead,
  epochAt,
  type HeadItem,
  nextSegments,
  type SnapshotPointer,
} from './head-item.js';
import { type DynamoRetryPolicy, withDynamoRetry } from './retry-policy.js';
import {
  BATCH_MAX_BYTES,
  BATCH_MAX_ITEMS,
  entryRangeEnd,
  entryRangeStart,
  HEAD_SORT_KEY,
  parseEntrySortKey,
  snapshotChunkSortKey,
  snapshotId,
} from './table-layout.js';
import { ensureTable } from './table-setup.js';

type Item = Record<string, AttributeValue>;

/** Settings of a {@link DynamoBackend}. */
export interface DynamoBackendConfig {
  readonly client: DynamoDBClient;
  /** Destroy `client` on close (it was created for this backend). */
  readonly ownsClient: boolean;
  readonly tableName: string;
  /** This node's partition key, `<clusterId>#<nodeId>`. */
  readonly pk: string;
  readonly retry: DynamoRetryPolicy;
  /** Payload bytes per entry part and snapshot chunk. */
  readonly itemPayloadBytes: number;
  /** BatchWriteItem calls in flight at once during one write. */
  readonly writeConcurrency: number;
  readonly createTableIfMissing: boolean;
}

/** Items in the first page of a Query; later pages double up to {@link MAX_PAGE_ITEMS}. */
const FIRST_PAGE_ITEMS = 32;
const MAX_PAGE_ITEMS = 1024;

/** How many times opening retries when another opener wins the race for the head item. */
const TAKEOVER_ATTEMPTS = 5;

/**
 * The DynamoDB half of a `KvStorage`. A change is committed by one
 * conditional PutItem of the head item (atomic on its own), after the entry
 * items and snapshot chunks it points to were written with BatchWriteItem.
 * No transactions: it works on DynamoDB, DynamoDB Local and dynalite alike.
 *
 * Crash safety: items the head does not point to are invisible, so a crash
 * before the head write leaves the previous state; a change that rewrites
 * items the head points to (this writer's own, same keys) first commits a head
 * that cuts them off. Fencing: opening takes `epoch + 1` with a conditional
 * update; every later head write is conditional on that epoch, and entry items
 * carry their writer's epoch in the key, so a fenced-out writer can neither
 * commit nor overwrite what the new writer reads.
 */
export class DynamoBackend implements KvBackend {
  private head: HeadItem = emptyHead(0);

  constructor(private readonly config: DynamoBackendConfig) {}

  /** The writer epoch this backend holds (0 before {@link load}). */
  get epoch(): number {
    return this.head.epoch;
  }

  async load(tailBytes: number): Promise<LoadedLog> {
    const { client, tableName, createTableIfMissing, retry } = this.config;
    await ensureTable(client, tableName, createTableIfMissing, retry);
    this.head = await this.takeOver();
    return {
      state: this.head.state,
      snapshot: await this.readSnapshot(),
      tail: await this.readTail(tailBytes),
    };
  }

  async readEntries(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    if (hi <= lo) return [];
    const out: Entry[] = [];
    let bytes = 0;
    let full = false;
    const assembler = new EntryAssembler(this.config.pk, this.head.segments);
    await this.queryRange(entryRangeStart(lo), entryRangeEnd(hi - 1), true, false, (item) => {
      const entry = assembler.add(item);
      if (!entry) return true;
      this.expectIndex(entry, lo + out.length);
      bytes += entrySize(entry);
      if (out.length > 0 && bytes > maxBytes) {
        full = true;
        return false;
      }
      out.push(entry);
      return true;
    });
    if (!full && out.length < hi - lo) {
      throw new StorageCorruptError(`dynamodb ${this.config.pk}`, `entry ${lo + out.length} is missing`);
    }
    return out;
  }

  async write(change: LogChange): Promise<void> {
    const { after, entries, snapshot } = change;
    const { pk, itemPayloadBytes } = this.config;
    const epoch = this.head.epoch;
    const first = entries[0]?.index;
    await this.cutOffOwnItems(first);
    let pointer = this.head.snapshot;
    let sequence = this.head.snapshotSequence;
    const puts: Item[] = [];
    if (snapshot) {
      sequence++;
      pointer = {
        id: snapshotId(epoch, sequence),
        ...chunkCount(snapshot.data.byteLength, itemPayloadBytes),
      };
      for (let chunk = 0; chunk < pointer.chunks; chunk++) {
        const data = snapshot.data.subarray(chunk * itemPayloadBytes, (chunk + 1) * itemPayloadBytes);
        puts.push({ pk: { S: pk }, sk: { S: snapshotChunkSortKey(pointer.id, chunk) }, data: { B: data } });
      }
    }
    for (const entry of entries) puts.push(...entryItems(pk, entry, epoch, itemPayloadBytes));
    await this.batchWrite(puts.map((Item) => ({ PutRequest: { Item } })));
    const previous = this.head;
    const next: HeadItem = {
      epoch,
      state: after,
      segments: nextSegments(previous.segments, epoch, first, after.compacted.index, after.lastIndex),
      snapshot: pointer,
      snapshotSequence: sequence,
    };
    await this.putHead(next);
    this.head = next;
    await this.collectGarbage(previous, next, first);
  }

  async close(): Promise<void> {
    if (this.config.ownsClient) this.config.client.destroy();
  }

  /**
   * Takes the partition: creates the head at epoch 1, or raises its epoch by
   * one (conditional on the epoch just read), which fences out the previous writer.
   */
  private async takeOver(): Promise<HeadItem> {
    const { client, tableName, pk, retry } = this.config;
    let lastError: unknown;
    for (let attempt = 0; attempt < TAKEOVER_ATTEMPTS; attempt++) {
      const got = await withDynamoRetry(retry, 'GetItem head', () =>
        client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: pk }, sk: { S: HEAD_SORT_KEY } },
            ConsistentRead: true,
          }),
        ),
      );
      try {
        if (!got.Item) {
          const head = emptyHead(1);
          await withDynamoRetry(retry, 'PutItem head', () =>
            client.send(
              new PutItemCommand({
                TableName: tableName,
                Item: encodeHead(pk, head),
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            ),
          );
          return head;
        }
        const current = decodeHead(pk, got.Item);
        const updated = await withDynamoRetry(retry, 'UpdateItem head epoch', () =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { pk: { S: pk }, sk: { S: HEAD_SORT_KEY } },
              UpdateExpression: 'SET epoch = :next',
              ConditionExpression: 'epoch = :current',
              ExpressionAttributeValues: {
                ':next': { N: String(current.epoch + 1) },
                ':current': { N: String(current.epoch) },
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        // ALL_NEW is the head as of the takeover, including a commit the previous writer made since the read.
        return decodeHead(pk, updated.Attributes ?? {});
      } catch (error) {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
        lastError = error; // Another opener moved first; read again.
      }
    }
    throw new DynamoFencedError(pk, this.head.epoch, { cause: lastError });
  }

  /**
   * Before rewriting entries under this writer's own keys, commits a head
   * that ends the log before them, so a crash mid-write cannot mix old and new.
   */
  private async cutOffOwnItems(first: number | undefined): Promise<void> {
    const { state, segments, epoch } = this.head;
    const own = segments.at(-1);
    if (first === undefined || own?.epoch !== epoch || Math.max(own.from, first) > state.lastIndex) return;
    const lastIndex = Math.max(state.compacted.index, first - 1);
    const cut: HeadItem = {
      ...this.head,
      state: { ...state, lastIndex },
      segments: nextSegments(segments, epoch, undefined, state.compacted.index, lastIndex),
    };
    await this.putHead(cut);
    this.head = cut;
  }

  /** Writes the head, conditional on this writer's epoch. */
  private async putHead(head: HeadItem): Promise<void> {
    const { client, tableName, pk, retry } = this.config;
    try {
      await withDynamoRetry(retry, 'PutItem head', () =>
        client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: encodeHead(pk, head),
            ConditionExpression: 'epoch = :mine',
            ExpressionAttributeValues: { ':mine': { N: String(head.epoch) } },
          }),
        ),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new DynamoFencedError(pk, head.epoch, { cause: error });
      }
      throw error;
    }
  }

  /**
   * Deletes items no head can point to any more: entries below the compaction
   * point, entries of this or an older epoch the new head does not reference,
   * and the replaced snapshot's chunks. Items of a newer epoch are never touched.
   */
  private async collectGarbage(
    previous: HeadItem,
    next: HeadItem,
    firstWritten: number | undefined,
  ): Promise<void> {
    const deletes: Item[] = [];
    const { pk } = this.config;
    if (previous.snapshot && previous.snapshot.id !== next.snapshot?.id) {
      for (let chunk = 0; chunk < previous.snapshot.chunks; chunk++) {
        deletes.push({ pk: { S: pk }, sk: { S: snapshotChunkSortKey(previous.snapshot.id, chunk) } });
      }
    }
    const ranges: Array<[number, number]> = [];
    if (next.state.compacted.index > previous.state.compacted.index) {
      ranges.push([
        previous.state.compacted.index + 1,
        Math.min(next.state.compacted.index, previous.state.lastIndex),
      ]);
    }
    const rewritten = Math.min(firstWritten ?? Number.POSITIVE_INFINITY, next.state.lastIndex + 1);
    if (rewritten <= previous.state.lastIndex) ranges.push([rewritten, previous.state.lastIndex]);
    for (const [lo, hi] of ranges) {
      if (hi < lo) continue;
      await this.queryRange(entryRangeStart(lo), entryRangeEnd(hi), true, true, (item) => {
        const key = parseEntrySortKey(item.sk?.S ?? '');
        if (key && key.epoch <= next.epoch && !referenced(next, key.index, key.epoch)) {
          deletes.push({ pk: { S: pk }, sk: { S: item.sk!.S! } });
        }
        return true;
      });
    }
    await this.batchWrite(deletes.map((Key) => ({ DeleteRequest: { Key } })));
  }

  private async readSnapshot(): Promise<Snapshot> {
    const { state, snapshot: pointer } = this.head;
    const where = `dynamodb ${this.config.pk} snapshot`;
    if (!pointer) {
      if (state.snapshot.index !== 0)
        throw new StorageCorruptError(where, 'the head has no snapshot pointer');
      return EMPTY_SNAPSHOT;
    }
    const data = new Uint8Array(pointer.bytes);
    let chunks = 0;
    let offset = 0;
    await this.queryRange(
      snapshotChunkSortKey(pointer.id, 0),
      snapshotChunkSortKey(pointer.id, pointer.chunks),
      true,
      false,
      (item) => {
        const payload = item.data?.B ?? new Uint8Array(0);
        if (
          item.sk?.S !== snapshotChunkSortKey(pointer.id, chunks) ||
          offset + payload.byteLength > pointer.bytes
        ) {
          throw new StorageCorruptError(where, `chunk ${chunks} of ${pointer.id} is missing or too long`);
        }
        data.set(payload, offset);
        offset += payload.byteLength;
        chunks++;
        return true;
      },
    );
    if (chunks !== pointer.chunks || offset !== pointer.bytes) {
      throw new StorageCorruptError(
        where,
        `found ${chunks} chunks, ${offset} bytes of ${pointer.id}; expected ${pointer.chunks} chunks, ${pointer.bytes} bytes`,
      );
    }
    return { metadata: state.snapshot, data };
  }

  /** The newest entries, oldest first, holding at most `tailBytes` of payload. */
  private async readTail(tailBytes: number): Promise<Entry[]> {
    const { compacted, lastIndex } = this.head.state;
    if (lastIndex === compacted.index) return [];
    const tail: Entry[] = [];
    let bytes = 0;
    let full = false;
    const assembler = new EntryAssembler(this.config.pk, this.head.segments);
    await this.queryRange(
      entryRangeStart(compacted.index + 1),
      entryRangeEnd(lastIndex),
      false,
      false,
      (item) => {
        const entry = assembler.add(item);
        if (!entry) return true;
        this.expectIndex(entry, lastIndex - tail.length);
        bytes += entrySize(entry);
        if (bytes > tailBytes) {
          full = true;
          return false;
        }
        tail.push(entry);
        return true;
      },
    );
    if (!full && tail.length < lastIndex - compacted.index) {
      throw new StorageCorruptError(
        `dynamodb ${this.config.pk}`,
        `entry ${lastIndex - tail.length} is missing`,
      );
    }
    return tail.reverse();
  }

  private expectIndex(entry: Entry, expected: number): void {
    if (entry.index !== expected) {
      throw new StorageCorruptError(
        `dynamodb ${this.config.pk}`,
        `entry ${expected} is missing (found entry ${entry.index} in its place)`,
      );
    }
  }

  /**
   * Strongly consistent Query of the sort-key range `[from, to]`, page by
   * page; `visit` returns false to stop early.
   */
  private async queryRange(
    from: string,
    to: string,
    forward: boolean,
    keysOnly: boolean,
    visit: (item: Item) => boolean,
  ): Promise<void> {
    const { client, tableName, pk, retry } = this.config;
    let start: Item | undefined;
    // Pages grow from small: a cold load usually wants a few dozen items, not DynamoDB's 1 MB page.
    let limit = FIRST_PAGE_ITEMS;
    do {
      const page = await withDynamoRetry(retry, 'Query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': { S: pk }, ':from': { S: from }, ':to': { S: to } },
            ConsistentRead: true,
            ScanIndexForward: forward,
            Limit: limit,
            ...(keysOnly ? { ProjectionExpression: 'sk' } : {}),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of page.Items ?? []) if (!visit(item)) return;
      start = page.LastEvaluatedKey;
      limit = Math.min(limit * 2, MAX_PAGE_ITEMS);
    } while (start);
  }

  /**
   * Writes requests with BatchWriteItem in groups within DynamoDB's limits
   * (25 requests, 16 MB), several groups at once, retrying UnprocessedItems
   * with backoff and jitter.
   * @throws DynamoRetriesExhaustedError when items stay unprocessed after every attempt.
   */
  private async batchWrite(requests: WriteRequest[]): Promise<void> {
    const groups: WriteRequest[][] = [];
    let group: WriteRequest[] = [];
    let groupBytes = 0;
    for (const request of requests) {
      const bytes = requestBytes(request);
      if (group.length === BATCH_MAX_ITEMS || (group.length > 0 && groupBytes + bytes > BATCH_MAX_BYTES)) {
        groups.push(group);
        group = [];
        groupBytes = 0;
      }
      group.push(request);
      groupBytes += bytes;
    }
    if (group.length > 0) groups.push(group);
    let next = 0;
    const worker = async () => {
      while (next < groups.length) await this.sendBatch(groups[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.config.writeConcurrency, groups.length) }, worker));
  }

  private async sendBatch(requests: WriteRequest[]): Promise<void> {
    const { client, tableName, retry } = this.config;
    let pending = requests;
    for (let attempt = 1; ; attempt++) {
      const out = await withDynamoRetry(retry, 'BatchWriteItem', () =>
        client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } })),
      );
      pending = out.UnprocessedItems?.[tableName] ?? [];
      if (pending.length === 0) return;
      if (attempt >= retry.attempts) {
        throw new DynamoRetriesExhaustedError(
          `BatchWriteItem (${pending.length} items unprocessed)`,
          attempt,
        );
      }
      await retry.sleep(backoffDelay(retry, attempt, retry.random));
    }
  }
}

/** Whether the head `head` points to the item of `index` written in `epoch`. */
function referenced(head: HeadItem, index: number, epoch: number): boolean {
  const { compacted, lastIndex } = head.state;
  return index > compacted.index && index <= lastIndex && epochAt(head.segments, index) === epoch;
}

function chunkCount(bytes: number, chunkBytes: number): Omit<SnapshotPointer, 'id'> {
  return { chunks: Math.ceil(bytes / chunkBytes), bytes };
}

/** Upper bound of a request's size: payload plus generous room for keys and attributes. */
function requestBytes(request: WriteRequest): number {
  return (request.PutRequest?.Item?.data?.B?.byteLength ?? 0) + 1024;
}
