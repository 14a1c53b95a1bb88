import { crc32c } from './crc32c.js';
import { CorruptionError } from './errors.js';
import { decodeRecord, MAX_RECORD_BODY, RECORD_HEADER_BYTES, type WalRecord } from './wal-record.js';

/** A record found in a segment, with its byte range. */
export interface ScannedRecord {
  readonly record: WalRecord;
  readonly start: number;
  readonly end: number;
}

/** Result of scanning one segment file. */
export interface SegmentScan {
  readonly records: ScannedRecord[];
  /** Bytes up to the end of the last valid record. */
  readonly validEnd: number;
  /** Present when the tail past `validEnd` is a torn write (only in the last segment). */
  readonly torn?: { readonly offset: number; readonly bytes: number; readonly reason: string };
}

function allZero(buf: Uint8Array, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Parses every record of a segment. In the last segment a damaged record that
 * can only be an interrupted write (it runs past the end of the file, it is
 * the very last record, or everything after it is zeros) is reported as
 * `torn`; any other damage throws.
 * @param file path, for error messages.
 * @param isLast whether this is the newest segment (the only one that can have a torn tail).
 * @throws CorruptionError naming the file and the offset of the damaged record.
 */
export function scanSegment(buf: Uint8Array, file: string, isLast: boolean): SegmentScan {
  const records: ScannedRecord[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  const damaged = (reason: string, recordEnd: number): SegmentScan => {
    const tornTail = recordEnd >= buf.length || allZero(buf, pos);
    if (isLast && tornTail) {
      return { records, validEnd: pos, torn: { offset: pos, bytes: buf.length - pos, reason } };
    }
    throw new CorruptionError(file, pos, reason);
  };
  while (pos < buf.length) {
    if (buf.length - pos < RECORD_HEADER_BYTES) {
      return damaged(`${buf.length - pos} stray bytes, shorter than a record header`, buf.length);
    }
    const bodyLength = view.getUint32(pos, true);
    const checksum = view.getUint32(pos + 4, true);
    const bodyStart = pos + RECORD_HEADER_BYTES;
    const end = bodyStart + bodyLength;
    if (bodyLength === 0 || bodyLength > MAX_RECORD_BODY) {
      return damaged(`record length ${bodyLength} is outside 1..${MAX_RECORD_BODY}`, buf.length);
    }
    if (end > buf.length) return damaged(`record of ${bodyLength} bytes runs past the end of the file`, end);
    const actual = crc32c(buf, 0, bodyStart, end);
    if (actual !== checksum) {
      return damaged(
        `checksum mismatch (stored ${checksum.toString(16)}, computed ${actual.toString(16)})`,
        end,
      );
    }
    let record: WalRecord;
    try {
      record = decodeRecord(buf, bodyStart, end, 0);
    } catch (error) {
      // The checksum matched, so this is not a torn write: it is a bug or deliberate damage.
      throw new CorruptionError(file, pos, `record does not decode: ${(error as Error).message}`);
    }
    records.push({ record, start: pos, end });
    pos = end;
  }
  return { records, validEnd: pos };
}
