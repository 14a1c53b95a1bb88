import { EntryType } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from './byte-writer.js';
import { CorruptionError } from './errors.js';
import { scanSegment } from './segment-scan.js';
import { encodeHeader, encodeMark, encodeUpdate, RecordType } from './wal-record.js';

function segment(): Uint8Array {
  const w = new ByteWriter();
  encodeHeader(w, {
    seq: 7,
    offset: 0,
    offsetTerm: 0,
    lastIndex: 0,
    snapshotIndex: 0,
    snapshotTerm: 0,
    hardState: { term: 1, vote: 'nødé-1', commit: 0 },
  });
  encodeUpdate(w, { term: 2, vote: 'b', commit: 1 }, undefined, [
    { index: 1, term: 2, type: EntryType.Normal, data: new Uint8Array([1, 2, 3]) },
    { index: 2, term: 2, type: EntryType.ConfChange, data: new Uint8Array(0) },
  ]);
  encodeMark(w, RecordType.Compact, 1, 2);
  return w.view8().slice();
}

describe('scanSegment', () => {
  it('decodes every record type round trip', () => {
    const { records, validEnd, torn } = scanSegment(segment(), 'f', true);
    expect(torn).toBeUndefined();
    expect(validEnd).toBe(segment().length);
    expect(records.map((r) => r.record.type)).toEqual([
      RecordType.Header,
      RecordType.Update,
      RecordType.Compact,
    ]);
    const header = records[0]!.record;
    expect(header.type === RecordType.Header && header.header.hardState.vote).toBe('nødé-1');
    const update = records[1]!.record;
    if (update.type !== RecordType.Update) throw new Error('expected an update');
    expect(update.hardState).toEqual({ term: 2, vote: 'b', commit: 1 });
    expect(update.entries.map((e) => [e.index, e.term, e.type, [...e.data]])).toEqual([
      [1, 2, EntryType.Normal, [1, 2, 3]],
      [2, 2, EntryType.ConfChange, []],
    ]);
  });

  it('reports every cut of the last record as a torn tail, never as corruption', () => {
    const full = segment();
    const lastStart = scanSegment(full, 'f', true).records[2]!.start;
    for (let cut = lastStart + 1; cut < full.length; cut++) {
      const scan = scanSegment(full.subarray(0, cut), 'f', true);
      expect(scan.torn?.offset).toBe(lastStart);
      expect(scan.records).toHaveLength(2);
    }
  });

  it('treats a last record whose header is still zero (body sent early, header not yet) as torn', () => {
    const full = segment();
    const last = scanSegment(full, 'f', true).records[2]!;
    full.fill(0, last.start, last.start + 8);
    const scan = scanSegment(full, 'f', true);
    expect(scan.torn?.offset).toBe(last.start);
    expect(scan.records).toHaveLength(2);
  });

  it('throws for the same cut in a segment that is not the last', () => {
    const full = segment();
    expect(() => scanSegment(full.subarray(0, full.length - 3), 'seg-1', false)).toThrow(CorruptionError);
  });

  it('throws for a flipped bit in a record followed by valid records, with the record offset', () => {
    const full = segment();
    const second = scanSegment(full, 'f', true).records[1]!;
    full[second.start + 12]! ^= 4;
    const error = (() => {
      try {
        scanSegment(full, '/data/wal-7.log', true);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error).toMatchObject({ file: '/data/wal-7.log', offset: second.start });
    expect((error as Error).message).toMatch(/checksum mismatch/);
  });
});
