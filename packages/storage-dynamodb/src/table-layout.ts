/**
 * The table layout. One table holds any number of nodes; each node owns one
 * partition, `pk = "<clusterId>#<nodeId>"`. Sort keys (`sk`, a string):
 *
 * | sk                                   | item                                                 |
 * | ------------------------------------ | ---------------------------------------------------- |
 * | `head`                               | the node's log state, writer epoch, snapshot pointer |
 * | `e#<index:16>#<epoch:10>`            | an entry (part 0): `term`, `type`, `parts`, `size`, `data` |
 * | `e#<index:16>#<epoch:10>#<part:5>`   | part `part` of an entry larger than one item          |
 * | `s#<snapshot id>#<chunk:6>`          | one chunk of a snapshot's data                        |
 *
 * Numbers are zero-padded decimal, so string order is numeric order and a
 * range of entries is one `BETWEEN` on the sort key. The writer epoch in an
 * entry's key keeps a fenced-out writer from overwriting entries the current
 * writer references (see {@link HeadItem}).
 */

/** Sort key of the head item. */
export const HEAD_SORT_KEY = 'head';

const INDEX_DIGITS = 16;
const EPOCH_DIGITS = 10;
const PART_DIGITS = 5;
const CHUNK_DIGITS = 6;
const ENTRY_KEY = /^e#(\d{16})#(\d{10})(?:#(\d{5}))?$/;

function pad(value: number, digits: number): string {
  return String(value).padStart(digits, '0');
}

/** Sort key of part `part` of the entry at `index` written in `epoch`. */
export function entrySortKey(index: number, epoch: number, part = 0): string {
  const key = `e#${pad(index, INDEX_DIGITS)}#${pad(epoch, EPOCH_DIGITS)}`;
  return part === 0 ? key : `${key}#${pad(part, PART_DIGITS)}`;
}

/** Lowest sort key of any item of the entry at `index` (any epoch, any part). */
export function entryRangeStart(index: number): string {
  return `e#${pad(index, INDEX_DIGITS)}#`;
}

/** Highest sort key of any item of the entry at `index`. */
export function entryRangeEnd(index: number): string {
  return `e#${pad(index, INDEX_DIGITS)}#~`;
}

/** What an entry sort key names. */
export interface EntryKey {
  readonly index: number;
  readonly epoch: number;
  readonly part: number;
}

/** Parses an entry sort key; undefined for any other sort key. */
export function parseEntrySortKey(sk: string): EntryKey | undefined {
  const match = ENTRY_KEY.exec(sk);
  if (!match) return undefined;
  return { index: Number(match[1]), epoch: Number(match[2]), part: match[3] ? Number(match[3]) : 0 };
}

/** Sort key of chunk `chunk` of snapshot `id`. */
export function snapshotChunkSortKey(id: string, chunk: number): string {
  return `s#${id}#${pad(chunk, CHUNK_DIGITS)}`;
}

/** Identifier of the `sequence`-th snapshot written in `epoch` (unique per partition). */
export function snapshotId(epoch: number, sequence: number): string {
  return `${pad(epoch, EPOCH_DIGITS)}.${pad(sequence, EPOCH_DIGITS)}`;
}

/** The partition key of a node. */
export function partitionKey(clusterId: string, nodeId: string): string {
  return `${clusterId}#${nodeId}`;
}

/**
 * Payload bytes per item (entry part or snapshot chunk): under DynamoDB's
 * 400 KB item limit with room for keys and attributes.
 */
export const DEFAULT_ITEM_PAYLOAD_BYTES = 350_000;

/** DynamoDB's BatchWriteItem limits: 25 requests and 16 MB per call. */
export const BATCH_MAX_ITEMS = 25;
export const BATCH_MAX_BYTES = 16 * 1000 * 1000;
