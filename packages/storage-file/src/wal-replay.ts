import { join } from 'node:path';
import type { HardState } from '@avs/raft-core';
import { CorruptionError } from './errors.js';
import type { FileOps } from './file-ops.js';
import { LogIndex } from './log-index.js';
import { scanSegment } from './segment-scan.js';
import type { StorageLogger } from './storage-logger.js';
import { RecordType, type SegmentHeader } from './wal-record.js';

const SEGMENT_NAME = /^wal-([0-9a-f]{16})\.log$/;

/** File name of segment `seq`. */
export function segmentFileName(seq: number): string {
  return `wal-${seq.toString(16).padStart(16, '0')}.log`;
}

/** A segment file on disk. */
export interface SegmentInfo {
  readonly seq: number;
  readonly path: string;
  /** Bytes of valid records. */
  size: number;
}

/** What replaying the WAL recovered. */
export interface ReplayResult {
  readonly index: LogIndex;
  readonly hardState: HardState;
  readonly snapshotRef: { readonly index: number; readonly term: number };
  /** Segments in order; empty when the directory has none yet. */
  readonly segments: SegmentInfo[];
}

/** Segment sequence numbers present in `names`, ascending. */
export function listSegments(names: readonly string[]): number[] {
  return names
    .map((n) => SEGMENT_NAME.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .map((s) => Number.parseInt(s, 16))
    .sort((a, b) => a - b);
}

/**
 * Rebuilds the log from the segment files: the first segment's header gives
 * the state before it (older segments were deleted by compaction), then every
 * record is applied in order. A torn tail of the newest segment is truncated
 * on disk and logged; a newest segment with no complete record (a crash
 * during rotation) is deleted and logged. Anything else that does not parse
 * throws.
 * @throws CorruptionError naming the file and offset.
 */
export async function replayWal(fs: FileOps, dir: string, logger: StorageLogger): Promise<ReplayResult> {
  const seqs = listSegments(await fs.readdir(dir));
  const index = new LogIndex();
  let hardState: HardState = { term: 0, vote: '', commit: 0 };
  let snapshotRef = { index: 0, term: 0 };
  const segments: SegmentInfo[] = [];
  /** Entries (offset, unknownUpTo] were in deleted segments: a later compaction must cover them. */
  let unknownUpTo = 0;
  for (let k = 0; k < seqs.length; k++) {
    const seq = seqs[k]!;
    const path = join(dir, segmentFileName(seq));
    const isLast = k === seqs.length - 1;
    const buf = await fs.readFile(path);
    const scan = scanSegment(buf, path, isLast);
    if (scan.torn) {
      logger.warn(`storage-file: truncating a torn write at the tail of ${path}`, {
        file: path,
        offset: scan.torn.offset,
        bytes: scan.torn.bytes,
        reason: scan.torn.reason,
      });
      const file = await fs.open(path, 'r+');
      try {
        await file.truncate(scan.validEnd);
        await file.sync();
      } finally {
        await file.close();
      }
    }
    if (scan.records.length === 0 && isLast && k > 0) {
      // Rotation crashed before the new segment's header was durable: nothing was acknowledged in it.
      logger.warn(
        `storage-file: removing segment ${path}, which has no complete record (interrupted rotation)`,
        {
          file: path,
        },
      );
      await fs.unlink(path);
      await fs.syncDirectory(dir);
      break;
    }
    const first = scan.records[0];
    if (!first || first.record.type !== RecordType.Header) {
      if (isLast && k === 0 && !first) {
        // The very first segment never got its header: an empty log.
        await fs.unlink(path);
        await fs.syncDirectory(dir);
        break;
      }
      throw new CorruptionError(path, 0, 'a segment must start with a header record');
    }
    if (first.record.header.seq !== seq) {
      throw new CorruptionError(
        path,
        0,
        `header names segment ${first.record.header.seq}, file name says ${seq}`,
      );
    }
    for (const { record, start } of scan.records) {
      try {
        switch (record.type) {
          case RecordType.Header:
            if (k === 0) {
              ({ hardState, snapshotRef, unknownUpTo } = startFrom(index, record.header));
            } else {
              checkHeader(index, record.header);
              hardState = record.header.hardState;
              snapshotRef = { index: record.header.snapshotIndex, term: record.header.snapshotTerm };
            }
            break;
          case RecordType.Update:
            if (record.snapshot) {
              index.reset(record.snapshot.index, record.snapshot.term);
              snapshotRef = record.snapshot;
            }
            for (const e of record.entries) index.put(e.index, e.term, seq, e.position, e.size);
            if (record.hardState) hardState = record.hardState;
            break;
          case RecordType.Snapshot:
            snapshotRef = { index: record.index, term: record.term };
            break;
          case RecordType.Compact:
            index.compact(record.index, record.term);
            break;
        }
      } catch (error) {
        if (error instanceof CorruptionError) throw error;
        throw new CorruptionError(path, start, `record does not fit the log: ${(error as Error).message}`);
      }
    }
    segments.push({ seq, path, size: scan.validEnd });
  }
  // Entries of deleted segments must all have been compacted or overwritten since.
  const stillUnknown = index.terms.findIndex((t) => Number.isNaN(t));
  if (stillUnknown >= 0 && unknownUpTo > 0) {
    throw new CorruptionError(
      segments[0]?.path ?? dir,
      0,
      `entry ${index.offset + 1 + stillUnknown} is live but the segment holding it is missing`,
    );
  }
  return { index, hardState, snapshotRef, segments };
}

function startFrom(index: LogIndex, h: SegmentHeader) {
  index.reset(h.offset, h.offsetTerm);
  // Entries before this segment are gone with their segments; mark them unknown (NaN term).
  for (let i = h.offset + 1; i <= h.lastIndex; i++) index.put(i, Number.NaN, -1, 0, 0);
  return {
    hardState: h.hardState,
    snapshotRef: { index: h.snapshotIndex, term: h.snapshotTerm },
    unknownUpTo: h.lastIndex,
  };
}

function checkHeader(index: LogIndex, h: SegmentHeader): void {
  if (h.offset > index.offset) index.compact(h.offset, h.offsetTerm);
  if (h.lastIndex !== index.lastIndex()) {
    throw new RangeError(
      `header says lastIndex ${h.lastIndex}, the records before it give ${index.lastIndex()}`,
    );
  }
}
