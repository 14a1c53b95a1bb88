/**
 * A growable little-endian byte buffer for encoding records (fixed-width fields; the WAL's disk format).
 * transport-http's `VarintWriter` is a different encoding (LEB128, length-prefixed) on purpose.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  /** Indexes and terms: exact JS integers up to 2^53, stored as float64. */
  f64(v: number): void {
    this.reserve(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** One entry's encoding (index f64, term f64, type u8, length u32, data) with a single bounds check. */
  entry(index: number, term: number, type: number, data: Uint8Array): void {
    this.reserve(21 + data.length);
    const at = this.length;
    this.view.setFloat64(at, index, true);
    this.view.setFloat64(at + 8, term, true);
    this.buf[at + 16] = type;
    this.view.setUint32(at + 17, data.length, true);
    this.buf.set(data, at + 21);
    this.length = at + 21 + data.length;
  }

  /** Empties the writer, keeping its buffer (unless it grew past `keepBytes`). */
  reset(keepBytes: number): void {
    this.length = 0;
    if (this.buf.length > keepBytes) {
      this.buf = new Uint8Array(4096);
      this.view = new DataView(this.buf.buffer);
    }
  }

  /** Overwrites a u32 at `at` (for lengths and checksums known only later). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }

  /** The bytes written so far (a view, not a copy). */
  view8(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/** Reads little-endian values from a byte range, throwing `RangeError` past its end. */
export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new RangeError(`record ends ${this.pos + n - this.end} bytes early`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    if (!Number.isSafeInteger(v) || v < 0)
      throw new RangeError(`expected a non-negative safe integer, found ${v}`);
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
