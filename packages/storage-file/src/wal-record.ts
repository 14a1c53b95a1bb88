import type { EntryType, HardState } from '@avs/raft-core';
import { ByteReader, type ByteWriter } from './byte-writer.js';
import { crc32c } from './crc32c.js';

/**
 * WAL record framing: `[u32 bodyLength][u32 crc32c(body)][body]`, body =
 * `[u8 type][payload]`, little-endian. The checksum covers the type too, so a
 * flipped type byte is caught like any other damage.
 */
export const RECORD_HEADER_BYTES = 8;
/** Largest body accepted; anything longer is damage (or a write the storage refuses). */
export const MAX_RECORD_BODY = 1 << 30;
/** Bytes of an entry's encoding before its data: index f64, term f64, type u8, length u32. */
export const ENTRY_HEADER_BYTES = 21;

export enum RecordType {
  /** First record of every segment: the state when the segment was started. */
  Header = 1,
  /** One `save()`: optional hard state, optional installed snapshot, entries. */
  Update = 2,
  /** A local snapshot (`createSnapshot`): the log is kept. */
  Snapshot = 3,
  /** `compact(index)`: entries up to `index` are dropped. */
  Compact = 4,
}

const HEADER_MAGIC = 0x57535641; // "AVSW"
const FORMAT_VERSION = 1;

/** State carried by a segment's header record. */
export interface SegmentHeader {
  readonly seq: number;
  readonly offset: number;
  readonly offsetTerm: number;
  readonly lastIndex: number;
  readonly snapshotIndex: number;
  readonly snapshotTerm: number;
  readonly hardState: HardState;
}

/** An entry's place in a record, as decoded. */
export interface DecodedEntry {
  readonly index: number;
  readonly term: number;
  readonly type: EntryType;
  /** Absolute file position of the entry's encoding. */
  readonly position: number;
  /** Encoded size (header + data). */
  readonly size: number;
  readonly data: Uint8Array;
}

export type WalRecord =
  | { readonly type: RecordType.Header; readonly header: SegmentHeader }
  | {
      readonly type: RecordType.Update;
      readonly hardState: HardState | undefined;
      readonly snapshot: { readonly index: number; readonly term: number } | undefined;
      readonly entries: DecodedEntry[];
    }
  | { readonly type: RecordType.Snapshot; readonly index: number; readonly term: number }
  | { readonly type: RecordType.Compact; readonly index: number; readonly term: number };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The last vote encoded: it rarely changes, and encoding it every save showed up in profiles. */
let lastVote = { text: '', bytes: new Uint8Array(0) };

function writeHardState(w: ByteWriter, hs: HardState): void {
  w.f64(hs.term);
  w.f64(hs.commit);
  if (lastVote.text !== hs.vote) lastVote = { text: hs.vote, bytes: utf8.encode(hs.vote) };
  const vote = lastVote.bytes;
  w.u16(vote.length);
  w.bytes(vote);
}

function readHardState(r: ByteReader): HardState {
  const term = r.f64();
  const commit = r.f64();
  const vote = fromUtf8.decode(r.bytes(r.u16()));
  return { term, vote, commit };
}

/** Starts a record in `w`; returns the position to pass to {@link endRecord}. */
export function beginRecord(w: ByteWriter, type: RecordType): number {
  const start = w.length;
  w.u32(0);
  w.u32(0);
  w.u8(type);
  return start;
}

/** Fills in the length and checksum of the record started at `start`. */
export function endRecord(w: ByteWriter, start: number): void {
  const bodyStart = start + RECORD_HEADER_BYTES;
  const bodyLength = w.length - bodyStart;
  if (bodyLength > MAX_RECORD_BODY)
    throw new RangeError(`record of ${bodyLength} bytes exceeds ${MAX_RECORD_BODY}`);
  const bytes = w.view8();
  w.patchU32(start, bodyLength);
  w.patchU32(start + 4, crc32c(bytes, 0, bodyStart, w.length));
}

/** Appends a header record. */
export function encodeHeader(w: ByteWriter, h: SegmentHeader): void {
  const start = beginRecord(w, RecordType.Header);
  w.u32(HEADER_MAGIC);
  w.u8(FORMAT_VERSION);
  w.f64(h.seq);
  w.f64(h.offset);
  w.f64(h.offsetTerm);
  w.f64(h.lastIndex);
  w.f64(h.snapshotIndex);
  w.f64(h.snapshotTerm);
  writeHardState(w, h.hardState);
  endRecord(w, start);
}

/** Appends a snapshot or compact record (both carry an index and a term). */
export function encodeMark(
  w: ByteWriter,
  type: RecordType.Snapshot | RecordType.Compact,
  index: number,
  term: number,
): void {
  const start = beginRecord(w, type);
  w.f64(index);
  w.f64(term);
  endRecord(w, start);
}

/**
 * Decodes the record body in `buf[bodyStart, bodyEnd)` (already checksummed).
 * `base` is the file position of `buf[0]`, for entry positions.
 * @throws RangeError when the body does not parse.
 */
export function decodeRecord(buf: Uint8Array, bodyStart: number, bodyEnd: number, base: number): WalRecord {
  const r = new ByteReader(buf, bodyStart, bodyEnd);
  const type = r.u8();
  let record: WalRecord;
  switch (type) {
    case RecordType.Header: {
      const magic = r.u32();
      if (magic !== HEADER_MAGIC) throw new RangeError(`bad segment magic 0x${magic.toString(16)}`);
      const version = r.u8();
      if (version !== FORMAT_VERSION) throw new RangeError(`unsupported WAL format version ${version}`);
      record = {
        type,
        header: {
          seq: r.f64(),
          offset: r.f64(),
          offsetTerm: r.f64(),
          lastIndex: r.f64(),
          snapshotIndex: r.f64(),
          snapshotTerm: r.f64(),
          hardState: readHardState(r),
        },
      };
      break;
    }
    case RecordType.Update: {
      const flags = r.u8();
      const hardState = flags & 1 ? readHardState(r) : undefined;
      const snapshot = flags & 2 ? { index: r.f64(), term: r.f64() } : undefined;
      const count = flags & 4 ? r.u32() : 0;
      const entries: DecodedEntry[] = [];
      for (let i = 0; i < count; i++) {
        const position = base + r.pos;
        const index = r.f64();
        const term = r.f64();
        const entryType = r.u8() as EntryType;
        const length = r.u32();
        const data = r.bytes(length);
        entries.push({ index, term, type: entryType, position, size: ENTRY_HEADER_BYTES + length, data });
      }
      record = { type, hardState, snapshot, entries };
      break;
    }
    case RecordType.Snapshot:
    case RecordType.Compact:
      record = { type, index: r.f64(), term: r.f64() };
      break;
    default:
      throw new RangeError(`unknown record type ${type}`);
  }
  if (r.pos !== bodyEnd) throw new RangeError(`record has ${bodyEnd - r.pos} trailing bytes`);
  return record;
}

/** Decodes one entry encoding read back from a file (the cold-read path). */
export function decodeEntryAt(buf: Uint8Array): {
  index: number;
  term: number;
  type: EntryType;
  data: Uint8Array;
} {
  const r = new ByteReader(buf, 0, buf.length);
  const index = r.f64();
  const term = r.f64();
  const type = r.u8() as EntryType;
  const data = r.bytes(r.u32());
  return { index, term, type, data };
}

/** Where {@link encodeUpdate} put the entries: columns, relative to the writer's start. */
export interface EncodedEntries {
  readonly terms: number[];
  readonly relativePositions: number[];
  readonly sizes: number[];
}

/**
 * Appends an update record.
 * @param afterEntry called after each entry is encoded (the storage starts writing full chunks early).
 * @returns each entry's term, relative position and encoded size.
 */
export function encodeUpdate(
  w: ByteWriter,
  hardState: HardState | undefined,
  snapshot: { index: number; term: number } | undefined,
  entries: readonly { index: number; term: number; type: EntryType; data: Uint8Array }[],
  afterEntry?: () => void,
): EncodedEntries {
  let total = 64 + (hardState ? 20 + hardState.vote.length * 3 : 0);
  for (const e of entries) total += ENTRY_HEADER_BYTES + e.data.length;
  // Checked before a byte is encoded, so a refused update never has bytes on their way to disk.
  if (total > MAX_RECORD_BODY)
    throw new RangeError(`an update of ${total} bytes exceeds the ${MAX_RECORD_BODY}-byte record limit`);
  w.reserve(total);
  const start = beginRecord(w, RecordType.Update);
  w.u8((hardState ? 1 : 0) | (snapshot ? 2 : 0) | (entries.length > 0 ? 4 : 0));
  if (hardState) writeHardState(w, hardState);
  if (snapshot) {
    w.f64(snapshot.index);
    w.f64(snapshot.term);
  }
  const out: EncodedEntries = { terms: [], relativePositions: [], sizes: [] };
  if (entries.length > 0) {
    w.u32(entries.length);
    for (const e of entries) {
      out.relativePositions.push(w.length);
      out.terms.push(e.term);
      out.sizes.push(ENTRY_HEADER_BYTES + e.data.length);
      w.entry(e.index, e.term, e.type, e.data);
      afterEntry?.();
    }
  }
  endRecord(w, start);
  return out;
}
