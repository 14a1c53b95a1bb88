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
import { utf8 } from '../auth/bytes.js';
import type { HmacKey } from '../auth/request-signing.js';
import { hmacSha256 } from '../auth/sha256-digest.js';

/** Bytes before the payload. */
export const STREAM_FRAME_HEADER_BYTES = 8;
/** Bytes of the MAC after the payload. */
export const STREAM_FRAME_MAC_BYTES = 32;
/** Payloads from this size on are written without copying them into the frame (see `sealChunks`). */
const SEAL_COPY_MAX_BYTES = 64 * 1024;
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
  return hmacSha256(key.raw, prefix, header, payload);
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

  /**
   * The framed, authenticated `payload` as chunks to write in order: one for a
   * small payload, three (header, the payload itself, MAC) for a large one,
   * which is then not copied.
   */
  sealChunks(payload: Uint8Array): Uint8Array[] {
    if (payload.length < SEAL_COPY_MAX_BYTES) return [this.seal(payload)];
    const header = new Uint8Array(STREAM_FRAME_HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint32(0, payload.length);
    view.setUint32(4, this.next++);
    return [header, payload, macOf(this.id.key, this.prefix, header, payload)];
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
 * each one: its size, its MAC, and that it is the next in order. A frame
 * wholly inside a chunk is read in place; one that spans chunks is copied once
 * into a buffer of its final size, allocated when its header has arrived
 * (joining the held bytes at every chunk copied a 1 MiB frame about eight
 * times over in 64 KiB reads).
 */
export class StreamFrameOpener {
  private readonly prefix: Uint8Array;
  private expected = 1;
  /** The header of the next frame while it arrives in pieces. */
  private readonly header = new Uint8Array(STREAM_FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** The frame being filled from several chunks, header included. */
  private frame: Uint8Array | undefined;
  private frameFill = 0;

  /** @param maxPayloadBytes largest payload accepted (checked from the header, before the payload is buffered) */
  constructor(
    private readonly id: StreamIdentity,
    private readonly maxPayloadBytes: number,
  ) {
    this.prefix = macPrefix(id);
  }

  /** Bytes of an unfinished frame held back. */
  get pendingBytes(): number {
    return this.frame ? this.frameFill : this.headerFill;
  }

  /**
   * Adds received bytes.
   * @returns the payloads of the frames completed by them, in order (empty payloads are keepalives),
   *   or the fault of the first bad frame (everything after it must be discarded)
   */
  push(chunk: Uint8Array): Uint8Array[] | StreamFrameFault {
    const out: Uint8Array[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.frame) {
        // Copy (never keep a view): `chunk` may be a buffer the runtime reuses.
        const n = Math.min(this.frame.length - this.frameFill, chunk.length - at);
        this.frame.set(chunk.subarray(at, at + n), this.frameFill);
        this.frameFill += n;
        at += n;
        if (this.frameFill < this.frame.length) break;
        const fault = this.open(this.frame, 0, out);
        this.frame = undefined;
        if (fault) return fault;
        continue;
      }
      if (this.headerFill > 0 || chunk.length - at < STREAM_FRAME_HEADER_BYTES) {
        const n = Math.min(STREAM_FRAME_HEADER_BYTES - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + n), this.headerFill);
        this.headerFill += n;
        at += n;
        if (this.headerFill < STREAM_FRAME_HEADER_BYTES) break;
        this.headerFill = 0;
        const total = this.frameBytes(this.header, 0);
        if (total === undefined) return 'FRAME_TOO_LARGE';
        this.frame = new Uint8Array(total);
        this.frame.set(this.header);
        this.frameFill = STREAM_FRAME_HEADER_BYTES;
        continue;
      }
      const total = this.frameBytes(chunk, at);
      if (total === undefined) return 'FRAME_TOO_LARGE';
      if (chunk.length - at < total) {
        this.frame = new Uint8Array(total);
        this.frameFill = 0;
        continue;
      }
      const fault = this.open(chunk, at, out);
      if (fault) return fault;
      at += total;
    }
    return out;
  }

  /** The whole size of the frame whose header starts at `buf[at]`, or undefined past the limit. */
  private frameBytes(buf: Uint8Array, at: number): number | undefined {
    const length = new DataView(buf.buffer, buf.byteOffset + at, 4).getUint32(0);
    if (length > this.maxPayloadBytes) return undefined;
    return STREAM_FRAME_HEADER_BYTES + length + STREAM_FRAME_MAC_BYTES;
  }

  /** Checks the complete frame at `buf[at]` and adds its payload to `out`. */
  private open(buf: Uint8Array, at: number, out: Uint8Array[]): StreamFrameFault | undefined {
    const view = new DataView(buf.buffer, buf.byteOffset + at, STREAM_FRAME_HEADER_BYTES);
    const length = view.getUint32(0);
    const total = STREAM_FRAME_HEADER_BYTES + length + STREAM_FRAME_MAC_BYTES;
    const header = buf.subarray(at, at + STREAM_FRAME_HEADER_BYTES);
    const payload = buf.subarray(at + STREAM_FRAME_HEADER_BYTES, at + STREAM_FRAME_HEADER_BYTES + length);
    const mac = buf.subarray(at + total - STREAM_FRAME_MAC_BYTES, at + total);
    if (!equalBytes(mac, macOf(this.id.key, this.prefix, header, payload))) return 'BAD_FRAME_MAC';
    if (view.getUint32(4) !== this.expected) return 'FRAME_OUT_OF_ORDER';
    this.expected++;
    out.push(payload);
    return undefined;
  }
}
