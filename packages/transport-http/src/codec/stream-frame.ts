/**
 * Frames of a peer stream (`POST /raft/v1/stream`): the request body is a
 * sequence of
 *
 * ```
 * u32 payload length | u32 frame number | payload | HMAC-SHA256 (32 bytes)
 * ```
 *
 * (big-endian). The payload is an `encodeBatch` frame, or empty for a
 * keepalive. Frame numbers start at 1 and rise by one. The MAC covers a
 * prefix naming the session and the sequence number of the signed request
 * that opened the stream, then the 8 header bytes and the payload: a frame
 * cannot be forged without the session key, moved into another stream
 * (another opening number), or replayed or reordered within its stream (the
 * receiver expects the next number).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../auth/bytes.js';
import type { HmacKey } from '../auth/request-signing.js';

/** Bytes before the payload. */
export const STREAM_FRAME_HEADER_BYTES = 8;
/** Bytes of the MAC after the payload. */
export const STREAM_FRAME_MAC_BYTES = 32;
/** Version tag at the start of every frame MAC. */
export const STREAM_MAC_PREFIX = 'AVS-RAFT-STREAM-V1';

/** Why a stream frame was refused; the server answers with this code. */
export type StreamFrameFault = 'FRAME_TOO_LARGE' | 'BAD_FRAME_MAC' | 'FRAME_OUT_OF_ORDER';

/** The key and identity of one stream, known to both ends. */
export interface StreamIdentity {
  readonly key: HmacKey;
  readonly sessionId: string;
  /** Sequence number of the signed request that opened the stream. */
  readonly openSeq: number;
}

function macPrefix(id: StreamIdentity): Uint8Array {
  return utf8(`${STREAM_MAC_PREFIX}\n${id.sessionId}\n${id.openSeq}\n`);
}

function macOf(key: HmacKey, prefix: Uint8Array, header: Uint8Array, payload: Uint8Array): Uint8Array {
  return hmac.create(sha256, key.raw).update(prefix).update(header).update(payload).digest();
}

/** Writes the frames of one stream, numbering them. */
export class StreamFrameSealer {
  private readonly prefix: Uint8Array;
  private next = 1;

  constructor(private readonly id: StreamIdentity) {
    this.prefix = macPrefix(id);
  }

  /** Frames written so far. */
  get count(): number {
    return this.next - 1;
  }

  /** @returns the framed, authenticated `payload` (empty for a keepalive) */
  seal(payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(STREAM_FRAME_HEADER_BYTES + payload.length + STREAM_FRAME_MAC_BYTES);
    const view = new DataView(out.buffer);
    view.setUint32(0, payload.length);
    view.setUint32(4, this.next++);
    out.set(payload, STREAM_FRAME_HEADER_BYTES);
    const header = out.subarray(0, STREAM_FRAME_HEADER_BYTES);
    out.set(macOf(this.id.key, this.prefix, header, payload), STREAM_FRAME_HEADER_BYTES + payload.length);
    return out;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Cuts a stream's bytes (arriving in arbitrary chunks) into frames and checks
 * each one: its size, its MAC, and that it is the next in order.
 */
export class StreamFrameOpener {
  private readonly prefix: Uint8Array;
  private expected = 1;
  private buffer: Uint8Array = new Uint8Array(0);

  /** @param maxPayloadBytes largest payload accepted (checked from the header, before the payload is buffered) */
  constructor(
    private readonly id: StreamIdentity,
    private readonly maxPayloadBytes: number,
  ) {
    this.prefix = macPrefix(id);
  }

  /** Bytes of an unfinished frame held back. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  /**
   * Adds received bytes.
   * @returns the payloads of the frames completed by them, in order (empty payloads are keepalives),
   *   or the fault of the first bad frame (everything after it must be discarded)
   */
  push(chunk: Uint8Array): Uint8Array[] | StreamFrameFault {
    let buf: Uint8Array;
    if (this.buffer.length === 0) buf = chunk;
    else {
      buf = new Uint8Array(this.buffer.length + chunk.length);
      buf.set(this.buffer);
      buf.set(chunk, this.buffer.length);
    }
    const out: Uint8Array[] = [];
    let at = 0;
    while (buf.length - at >= STREAM_FRAME_HEADER_BYTES) {
      const view = new DataView(buf.buffer, buf.byteOffset + at, STREAM_FRAME_HEADER_BYTES);
      const length = view.getUint32(0);
      if (length > this.maxPayloadBytes) return 'FRAME_TOO_LARGE';
      const total = STREAM_FRAME_HEADER_BYTES + length + STREAM_FRAME_MAC_BYTES;
      if (buf.length - at < total) break;
      const header = buf.subarray(at, at + STREAM_FRAME_HEADER_BYTES);
      const payload = buf.subarray(at + STREAM_FRAME_HEADER_BYTES, at + STREAM_FRAME_HEADER_BYTES + length);
      const mac = buf.subarray(at + total - STREAM_FRAME_MAC_BYTES, at + total);
      if (!equalBytes(mac, macOf(this.id.key, this.prefix, header, payload))) return 'BAD_FRAME_MAC';
      if (view.getUint32(4) !== this.expected) return 'FRAME_OUT_OF_ORDER';
      this.expected++;
      out.push(payload);
      at += total;
    }
    // Copy the rest: `chunk` may be a view the runtime reuses.
    this.buffer = buf.slice(at);
    return out;
  }
}
