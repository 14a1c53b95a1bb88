const encoder = new TextEncoder();

/**
 * An append-only byte buffer that grows by doubling; the frame codec's output side: LEB128 varints and
 * length-prefixed fields. Not storage-file's `ByteWriter` on purpose: that one writes fixed-width
 * little-endian disk records (f64 indexes, patched u32 checksums); the two formats must change apart.
 */
export class VarintWriter {
  private buf: Uint8Array;
  private pos = 0;

  /** @param initialSize first allocation in bytes; size it near the expected frame to avoid copies. */
  constructor(initialSize = 256) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value & 0xff;
  }

  /** Unsigned LEB128 of a safe non-negative integer (at most 8 bytes for 2^53 - 1). */
  uvarint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`expected a non-negative safe integer, got ${value}`);
    }
    this.ensure(8);
    // Division instead of >>> because values go past 32 bits.
    while (value >= 0x80) {
      this.buf[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buf[this.pos++] = value;
  }

  /** Length-prefixed raw bytes. */
  bytes(data: Uint8Array): void {
    this.uvarint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Length-prefixed UTF-8. */
  string(value: string): void {
    this.bytes(encoder.encode(value));
  }

  /** The bytes written, as a view of the internal buffer (do not write after taking it). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Bytes `uvarint(value)` takes. */
export function uvarintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}
