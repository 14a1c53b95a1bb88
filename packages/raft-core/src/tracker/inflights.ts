/**
 * The window of MsgApp messages sent to one follower and not yet
 * acknowledged, bounded both in count and in bytes of entry data. Each slot
 * records the last index a message carried and its size.
 */
export class Inflights {
  private indexes: number[] = [];
  private sizes: number[] = [];
  private start = 0;
  /** Bytes of entry data in flight. */
  bytes = 0;

  /**
   * @param maxCount most messages in flight (>= 1)
   * @param maxBytes most bytes in flight; 0 means no byte limit
   */
  constructor(
    readonly maxCount: number,
    readonly maxBytes: number,
  ) {}

  /** Number of messages in flight. */
  get count(): number {
    return this.indexes.length - this.start;
  }

  /** Records a message whose last entry is `index` carrying `bytes`. Indexes must increase. */
  add(index: number, bytes: number): void {
    this.indexes.push(index);
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** Frees every message whose last index is <= `index` (they were acknowledged). */
  freeLE(index: number): void {
    while (this.start < this.indexes.length && this.indexes[this.start]! <= index) {
      this.bytes -= this.sizes[this.start]!;
      this.start++;
    }
    if (this.start > 64 && this.start * 2 > this.indexes.length) {
      this.indexes = this.indexes.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
  }

  /** Whether no more messages may be sent. */
  full(): boolean {
    return this.count >= this.maxCount || (this.maxBytes > 0 && this.bytes >= this.maxBytes);
  }

  reset(): void {
    this.indexes = [];
    this.sizes = [];
    this.start = 0;
    this.bytes = 0;
  }
}
