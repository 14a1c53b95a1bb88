import { checkLogState, EMPTY_LOG_STATE, isCount, type LogState, StorageCorruptError } from '@avs/storage-kv';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { HEAD_SORT_KEY } from './table-layout.js';

/** Which writer epoch's items hold the entries from `from` on (until the next segment). */
export interface EpochSegment {
  readonly from: number;
  readonly epoch: number;
}

/** Where the latest snapshot's data is. */
export interface SnapshotPointer {
  readonly id: string;
  readonly chunks: number;
  readonly bytes: number;
}

/**
 * The head item: the one item whose conditional write commits a change. It
 * holds the log state, the epoch segments telling which entry items belong to
 * the log, the snapshot pointer, and the epoch of the writer that owns the
 * partition. Every write of it is conditional on `epoch` being the writer's
 * own: a second opener takes `epoch + 1`, and the first one's next commit fails.
 */
export interface HeadItem {
  readonly epoch: number;
  readonly state: LogState;
  readonly segments: readonly EpochSegment[];
  readonly snapshot: SnapshotPointer | null;
  /** Snapshots written so far in this epoch (for unique snapshot ids). */
  readonly snapshotSequence: number;
}

/** The head of a partition nobody wrote yet. */
export function emptyHead(epoch: number): HeadItem {
  return { epoch, state: EMPTY_LOG_STATE, segments: [], snapshot: null, snapshotSequence: 0 };
}

/** The epoch whose items hold the entry at `index`. */
export function epochAt(segments: readonly EpochSegment[], index: number): number | undefined {
  let found: number | undefined;
  for (const segment of segments) {
    if (segment.from > index) break;
    found = segment.epoch;
  }
  return found;
}

/**
 * Segments after a commit by `epoch` that wrote entries from `firstWritten`
 * (if any) and leaves the log at `(compacted, lastIndex]`.
 */
export function nextSegments(
  segments: readonly EpochSegment[],
  epoch: number,
  firstWritten: number | undefined,
  compacted: number,
  lastIndex: number,
): EpochSegment[] {
  let next = segments.filter(
    (s) => s.from <= lastIndex && (firstWritten === undefined || s.from < firstWritten),
  );
  if (firstWritten !== undefined && next.at(-1)?.epoch !== epoch) next.push({ from: firstWritten, epoch });
  // Segments wholly below the log are history.
  while (next.length >= 2 && next[1]!.from <= compacted + 1) next = next.slice(1);
  return next;
}

/** The head as DynamoDB attributes (with the key). */
export function encodeHead(pk: string, head: HeadItem): Record<string, AttributeValue> {
  return {
    pk: { S: pk },
    sk: { S: HEAD_SORT_KEY },
    epoch: { N: String(head.epoch) },
    version: { N: '1' },
    doc: {
      S: JSON.stringify({
        state: head.state,
        segments: head.segments.map((s) => [s.from, s.epoch]),
        snapshot: head.snapshot,
        snapshotSequence: head.snapshotSequence,
      }),
    },
  };
}

/**
 * Decodes and checks a head item.
 * @throws StorageCorruptError naming the partition when a field is missing or malformed.
 */
export function decodeHead(pk: string, item: Record<string, AttributeValue>): HeadItem {
  const where = `dynamodb head item of ${pk}`;
  const epoch = Number(item.epoch?.N);
  let doc: {
    state?: unknown;
    segments?: unknown;
    snapshot?: Partial<SnapshotPointer> | null;
    snapshotSequence?: unknown;
  };
  try {
    doc = JSON.parse(item.doc?.S ?? '');
  } catch (cause) {
    throw new StorageCorruptError(where, 'attribute doc is not JSON', { cause });
  }
  const state = checkLogState(doc?.state, where);
  const segments = doc.segments;
  const pointer = doc.snapshot;
  const valid =
    isCount(epoch) &&
    isCount(doc.snapshotSequence) &&
    Array.isArray(segments) &&
    segments.every((s) => Array.isArray(s) && s.length === 2 && isCount(s[0]) && isCount(s[1])) &&
    (pointer === null ||
      (typeof pointer?.id === 'string' && isCount(pointer.chunks) && isCount(pointer.bytes)));
  if (!valid) {
    throw new StorageCorruptError(
      where,
      'expected epoch, segments [[from, epoch]...], snapshot pointer or null',
    );
  }
  return {
    epoch,
    state,
    segments: (segments as Array<[number, number]>).map(([from, e]) => ({ from, epoch: e })),
    snapshot: pointer as SnapshotPointer | null,
    snapshotSequence: doc.snapshotSequence as number,
  };
}
