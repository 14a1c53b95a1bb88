/**
 * A sliding window over request sequence numbers (as in IPsec, RFC 4303 §3.4.3):
 * remembers which of the last `size` sequence numbers were seen, in O(size)
 * memory, and refuses anything older than the window.
 */
export class ReplayWindow {
  private highest = -1;
  private readonly slots: Float64Array;

  /** @param size how far behind the highest sequence number a request may arrive; default 1024 */
  constructor(private readonly size = 1024) {
    this.slots = new Float64Array(size).fill(-1);
  }

  /** `ok`, `replayed` (already seen) or `too-old` (behind the window). Does not record. */
  check(seq: number): 'ok' | 'replayed' | 'too-old' {
    if (seq > this.highest) return 'ok';
    if (seq <= this.highest - this.size) return 'too-old';
    // The slot holds the latest number with this residue; anything newer with it would be > highest.
    return this.slots[seq % this.size] === seq ? 'replayed' : 'ok';
  }

  /** Records `seq` as seen. Call only after {@link check} returned `ok`. */
  mark(seq: number): void {
    this.slots[seq % this.size] = seq;
    if (seq > this.highest) this.highest = seq;
  }
}
