import type { Snapshot, SnapshotChunk, SnapshotMetadata } from './types.js';

/** What the receiver did with a chunk. */
export type ChunkOutcome =
  | { readonly kind: 'progress'; readonly received: number }
  | { readonly kind: 'resend-from'; readonly offset: number }
  | { readonly kind: 'complete'; readonly snapshot: Snapshot }
  | { readonly kind: 'too-large' };

/**
 * A follower's reassembly of a snapshot sent in chunks. Chunks must arrive in
 * offset order; a gap (a lost chunk) is answered with the offset to resume
 * from, a duplicate is acknowledged again, and a chunk of a different
 * snapshot starting at offset 0 starts over.
 */
export class SnapshotReceiver {
  private metadata: SnapshotMetadata | undefined;
  private totalSize = 0;
  private parts: Uint8Array[] = [];
  private received = 0;

  /** Bytes received so far of the snapshot being assembled. */
  get bytesReceived(): number {
    return this.received;
  }

  receive(c: SnapshotChunk, maxBytes: number): ChunkOutcome {
    if (c.totalSize > maxBytes) return { kind: 'too-large' };
    const same =
      this.metadata !== undefined &&
      this.metadata.index === c.metadata.index &&
      this.metadata.term === c.metadata.term &&
      this.totalSize === c.totalSize;
    if (!same) {
      if (c.offset !== 0) {
        this.reset();
        return { kind: 'resend-from', offset: 0 };
      }
      this.reset();
      this.metadata = c.metadata;
      this.totalSize = c.totalSize;
    }
    if (c.offset > this.received) return { kind: 'resend-from', offset: this.received };
    const end = c.offset + c.data.byteLength;
    if (end > this.received) {
      // Keep only the new bytes of a chunk that overlaps what we have.
      this.parts.push(c.data.slice(this.received - c.offset));
      this.received = end;
    }
    if (this.received < this.totalSize) return { kind: 'progress', received: this.received };
    const data = new Uint8Array(this.totalSize);
    let o = 0;
    for (const p of this.parts) {
      data.set(p, o);
      o += p.byteLength;
    }
    const snapshot: Snapshot = { metadata: this.metadata!, data };
    this.reset();
    return { kind: 'complete', snapshot };
  }

  reset(): void {
    this.metadata = undefined;
    this.totalSize = 0;
    this.parts = [];
    this.received = 0;
  }
}
