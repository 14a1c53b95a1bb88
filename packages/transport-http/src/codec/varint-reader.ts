import { CodecError } from '../errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A bounds-checked cursor over untrusted bytes; the frame codec's input side (LEB128 varints,
 * length-prefixed fields; see `VarintWriter` for why it is not storage-file's `ByteReader`).
 * Every read either returns a well-formed value or throws {@link CodecError}.
 */
export class VarintReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  u8(what: string): number {
    if (this.pos >= this.buf.length)
      throw new CodecError(`truncated frame: expected ${what} at byte ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  /** Unsigned LEB128, at most 8 bytes, at most 2^53 - 1. */
  uvarint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.u8(what);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(value)) {
          throw new CodecError(`${what} at byte ${this.pos} exceeds 2^53 - 1`);
        }
        return value;
      }
      scale *= 0x80;
    }
    throw new CodecError(`${what} at byte ${this.pos} is a varint longer than 8 bytes`);
  }

  /** A count of items that each take at least `minItemBytes`; rejects counts the remaining bytes cannot hold. */
  count(what: string, minItemBytes: number, max: number): number {
    const n = this.uvarint(what);
    if (n > max) throw new CodecError(`${what} is ${n}, more than the limit ${max}`);
    if (n * minItemBytes > this.remaining) {
      throw new CodecError(`${what} is ${n} but only ${this.remaining} bytes remain`);
    }
    return n;
  }

  /** Length-prefixed bytes, copied so the result does not pin the whole request body. */
  bytes(what: string, max: number): Uint8Array {
    const n = this.uvarint(`${what} length`);
    if (n > max) throw new CodecError(`${what} is ${n} bytes, more than the limit ${max}`);
    if (n > this.remaining) throw new CodecError(`${what} is ${n} bytes but only ${this.remaining} remain`);
    const out = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Length-prefixed UTF-8 (invalid UTF-8 is rejected). */
  string(what: string, maxBytes: number): string {
    const n = this.uvarint(`${what} length`);
    if (n > maxBytes) throw new CodecError(`${what} is ${n} bytes, more than the limit ${maxBytes}`);
    if (n > this.remaining) throw new CodecError(`${what} is ${n} bytes but only ${this.remaining} remain`);
    let text: string;
    try {
      text = decoder.decode(this.buf.subarray(this.pos, this.pos + n));
    } catch (cause) {
      throw new CodecError(`${what} is not valid UTF-8`, { cause });
    }
    this.pos += n;
    return text;
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.pos !== this.buf.length) {
      throw new CodecError(`${this.buf.length - this.pos} unexpected trailing bytes after byte ${this.pos}`);
    }
  }
}
