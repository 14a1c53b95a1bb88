import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importSessionKey } from '../auth/request-signing.js';
import { StreamFrameOpener, StreamFrameSealer, type StreamIdentity } from './stream-frame.js';

const identity = async (fill = 5, openSeq = 7): Promise<StreamIdentity> => ({
  key: await importSessionKey(new Uint8Array(32).fill(fill)),
  sessionId: '0x0102',
  openSeq,
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Cuts `bytes` at the given (sorted, deduplicated) offsets. */
function cut(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(from, p));
    from = p;
  }
  return out;
}

describe('stream frames', () => {
  it('open to the sealed payloads however the bytes are cut, small and large frames alike', async () => {
    const id = await identity();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        async (sizes, offsets) => {
          const payloads = sizes.map((n, i) =>
            Uint8Array.from({ length: i === 0 ? n * 40 : n }, (_, k) => (k * 31 + i) & 0xff),
          );
          const sealer = new StreamFrameSealer(id);
          const wire = concat(payloads.flatMap((p) => sealer.sealChunks(p)));
          const opener = new StreamFrameOpener(id, 1 << 20);
          const got: Uint8Array[] = [];
          for (const chunk of cut(wire, offsets)) {
            const r = opener.push(chunk);
            if (typeof r === 'string') throw new Error(r);
            // Copies now: the opener may hand out views of the chunk it was given.
            got.push(...r.map((p) => p.slice()));
            chunk.fill(0xee); // a runtime that reuses its read buffer must not corrupt held bytes
          }
          // Byte loops, not toEqual: deep equality of 100 KB arrays would take most of the test's time.
          expect(got.map((p) => p.length)).toEqual(payloads.map((p) => p.length));
          expect(got.every((p, i) => p.every((b, k) => b === payloads[i]![k]))).toBe(true);
          expect(opener.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('writes a large payload as header, payload and MAC without copying it, the same bytes as seal()', async () => {
    const id = await identity();
    const payload = new Uint8Array(100_000).fill(3);
    const chunks = new StreamFrameSealer(id).sealChunks(payload);
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(payload);
    expect(concat(chunks)).toEqual(new StreamFrameSealer(id).seal(payload));
  });

  it('refuses an oversized frame from its header, before buffering its payload', async () => {
    const id = await identity();
    const wire = new StreamFrameSealer(id).seal(new Uint8Array(5000));
    const opener = new StreamFrameOpener(id, 4096);
    expect(opener.push(wire.subarray(0, 3))).toEqual([]);
    expect(opener.pendingBytes).toBe(3);
    expect(opener.push(wire.subarray(3, 100))).toBe('FRAME_TOO_LARGE');
  });

  it('refuses a frame sealed with another key, for another stream, or out of order', async () => {
    const id = await identity();
    const frames = [1, 2].map(() => new Uint8Array(70_000).fill(1));
    const sealer = new StreamFrameSealer(id);
    const [first, second] = frames.map((f) => concat(sealer.sealChunks(f)));
    const other = concat(new StreamFrameSealer(await identity(6)).sealChunks(frames[0]!));
    const moved = concat(new StreamFrameSealer(await identity(5, 8)).sealChunks(frames[0]!));
    expect(new StreamFrameOpener(id, 1 << 20).push(other)).toBe('BAD_FRAME_MAC');
    expect(new StreamFrameOpener(id, 1 << 20).push(moved)).toBe('BAD_FRAME_MAC');
    const opener = new StreamFrameOpener(id, 1 << 20);
    expect(opener.push(second!.subarray(0, 1000))).toEqual([]);
    expect(opener.push(second!.subarray(1000))).toBe('FRAME_OUT_OF_ORDER');
    const fresh = new StreamFrameOpener(id, 1 << 20);
    expect(fresh.push(first!)).toHaveLength(1);
    expect(fresh.push(first!)).toBe('FRAME_OUT_OF_ORDER');
  });
});
