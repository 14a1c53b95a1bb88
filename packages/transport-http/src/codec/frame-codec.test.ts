import { type Message, MessageType } from '@avs/raft-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { heartbeat, messageArbitrary } from '../../test/support/arbitraries.js';
import { CodecError } from '../errors.js';
import {
  DEFAULT_DECODE_LIMITS,
  decodeBatch,
  decodeSnapshotPart,
  encodeBatch,
  encodeSnapshotPart,
  estimateMessageSize,
} from './frame-codec.js';

/** Cases per property: the CI budget, or AVS_FUZZ_CASES (the long reliability run sets 10 000). */
const fuzzCases = (ci: number): number => Number(process.env.AVS_FUZZ_CASES) || ci;

function expectOnlyCodecErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CodecError);
    expect((e as CodecError).code).toBe('MALFORMED_FRAME');
  }
}

describe('frame codec', () => {
  it('round-trips any batch of network messages', () => {
    fc.assert(
      fc.property(fc.array(messageArbitrary, { maxLength: 20 }), (messages) => {
        expect(decodeBatch(encodeBatch(messages))).toEqual(messages);
      }),
      { numRuns: fuzzCases(300) },
    );
  });

  it('estimates at least the encoded size of a single message', () => {
    fc.assert(
      fc.property(messageArbitrary, (m) => {
        expect(encodeBatch([m]).length).toBeLessThanOrEqual(estimateMessageSize(m) + 16 + 2 * 32);
      }),
    );
  });

  it('names two nodes once for a thousand heartbeats (compact)', () => {
    const a = '0x' + 'aa'.repeat(20);
    const b = '0x' + 'bb'.repeat(20);
    const frame = encodeBatch(Array.from({ length: 1000 }, (_, i) => heartbeat(a, b, 7, i)));
    // 11 bytes of fixed fields plus a 1-2 byte commit per heartbeat, and the two ids once.
    expect(frame.length).toBeLessThan(1000 * 13 + 100);
  });

  it('round-trips a snapshot part', () => {
    fc.assert(
      fc.property(messageArbitrary, fc.nat({ max: 50 }), (m, extra) => {
        fc.pre(m.type === MessageType.Snap);
        const chunk = m.snapshotChunk!;
        const partTotal = chunk.data.length + extra;
        const grown: Message = { ...m, snapshotChunk: { ...chunk, totalSize: chunk.totalSize + extra } };
        const part = { message: grown, partOffset: extra, partTotal };
        expect(decodeSnapshotPart(encodeSnapshotPart(part))).toEqual(part);
      }),
    );
  });

  it('keeps integers exact up to 2^53 - 1', () => {
    const m = { ...heartbeat('a', 'b', Number.MAX_SAFE_INTEGER), index: 2 ** 40 + 3, commit: 2 ** 32 };
    expect(decodeBatch(encodeBatch([m]))).toEqual([m]);
  });

  it('never throws anything but CodecError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectOnlyCodecErrors(() => decodeBatch(bytes));
        expectOnlyCodecErrors(() => decodeSnapshotPart(bytes));
      }),
      { numRuns: fuzzCases(1000) },
    );
  });

  it('never throws anything but CodecError on mutated valid frames', () => {
    fc.assert(
      fc.property(
        fc.array(messageArbitrary, { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (messages, flips, cut) => {
          const frame = encodeBatch(messages).slice();
          for (const [at, value] of flips) frame[at % frame.length] = value;
          expectOnlyCodecErrors(() => decodeBatch(frame));
          expectOnlyCodecErrors(() => decodeBatch(frame.subarray(0, cut % frame.length)));
        },
      ),
      { numRuns: fuzzCases(500) },
    );
  });

  it('rejects bad headers, trailing bytes, local types and limits with messages that say what was expected', () => {
    const good = encodeBatch([heartbeat('a', 'b', 1)]);
    expect(() => decodeBatch(new Uint8Array([1, 2, 3, 4]))).toThrow(/magic bytes/);
    const v2 = good.slice();
    v2[2] = 2;
    expect(() => decodeBatch(v2)).toThrow(/unsupported frame version 2/);
    const trailing = new Uint8Array([...good, 0]);
    expect(() => decodeBatch(trailing)).toThrow(/trailing bytes/);
    const hup = encodeBatch([{ ...heartbeat('a', 'b', 1), type: MessageType.Hup }]);
    expect(() => decodeBatch(hup)).toThrow(/Hup is local/);
    const many = encodeBatch([heartbeat('a', 'b', 1), heartbeat('a', 'b', 1)]);
    expect(() => decodeBatch(many, { ...DEFAULT_DECODE_LIMITS, maxMessages: 1 })).toThrow(
      /more than the limit 1/,
    );
    expect(() => decodeSnapshotPart(good)).toThrow(/expected frame kind 2/);
  });

  it('rejects counts larger than the bytes that follow (no huge allocations)', () => {
    // header, empty node table, then a message count of 2^49.
    const frame = new Uint8Array([0xa7, 0x52, 1, 1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(() => decodeBatch(frame)).toThrow(CodecError);
  });
});
