/**
 * Reassembles a Snap message whose chunk was split into parts by the sender,
 * one peer at a time. Offset-based and resumable: a part must start where the
 * previous one ended; otherwise the server answers 409 with the offset it
 * expects, and the sender continues from there (after a lost response, a
 * restart of either side, or a retry).
 */
import type { Message, NodeId } from '@avs/raft-core';
import type { SnapshotPart } from '../codec/frame-codec.js';
import { HttpError } from '../errors.js';

interface Assembly {
  readonly key: string;
  readonly buffer: Uint8Array;
  received: number;
  touchedAt: number;
}

/** The result of accepting one part. */
export interface PartResult {
  /** Bytes of the chunk received so far (the offset the next part must start at). */
  readonly received: number;
  /** The reassembled message once the last part arrived (once only). */
  readonly complete?: Message;
}

function keyOf(part: SnapshotPart): string {
  const m = part.message;
  const c = m.snapshotChunk!;
  return `${m.term}/${c.metadata.term}/${c.metadata.index}/${c.totalSize}/${c.offset}/${part.partTotal}`;
}

/** Per-peer snapshot chunk reassembly; at most one chunk in progress per peer. */
export class SnapshotAssembler {
  private readonly inProgress = new Map<NodeId, Assembly>();
  private readonly completed = new Map<NodeId, string>();

  constructor(
    private readonly maxChunkBytes: number,
    private readonly idleMs: number,
  ) {}

  /**
   * Accepts a part from `peer`.
   * @throws HttpError 409 `SNAPSHOT_OFFSET` with `expectedOffset` when the part does not continue the chunk;
   *   413 `SNAPSHOT_TOO_LARGE` past the chunk size limit
   */
  accept(peer: NodeId, part: SnapshotPart, now: number): PartResult {
    this.expire(now);
    if (part.partTotal > this.maxChunkBytes) {
      throw new HttpError(
        413,
        'SNAPSHOT_TOO_LARGE',
        `snapshot chunk of ${part.partTotal} bytes exceeds the limit of ${this.maxChunkBytes}`,
      );
    }
    const key = keyOf(part);
    const data = part.message.snapshotChunk!.data;
    let a = this.inProgress.get(peer);
    if (part.partOffset === 0) {
      a = { key, buffer: new Uint8Array(part.partTotal), received: 0, touchedAt: now };
      this.inProgress.set(peer, a);
      this.completed.delete(peer);
    } else if (!a || a.key !== key || a.received !== part.partOffset) {
      // A retry of a part of the chunk just completed: acknowledge it again rather than restart.
      if (!a && this.completed.get(peer) === key) return { received: part.partTotal };
      const expectedOffset = a && a.key === key ? a.received : 0;
      throw new HttpError(
        409,
        'SNAPSHOT_OFFSET',
        `expected the part at offset ${expectedOffset}, got ${part.partOffset}`,
        { expectedOffset },
      );
    }
    a.buffer.set(data, a.received);
    a.received += data.length;
    a.touchedAt = now;
    if (a.received < part.partTotal) return { received: a.received };
    this.inProgress.delete(peer);
    this.completed.set(peer, key);
    const chunk = part.message.snapshotChunk!;
    return {
      received: a.received,
      complete: { ...part.message, snapshotChunk: { ...chunk, data: a.buffer } },
    };
  }

  private expire(now: number): void {
    for (const [peer, a] of this.inProgress) {
      if (now - a.touchedAt > this.idleMs) this.inProgress.delete(peer);
    }
  }
}
