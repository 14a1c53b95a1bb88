import { InvalidConfChangeError } from '../errors.js';
import type { ConfChange, ConfChangeSingle } from '../types.js';
import { ConfChangeTransition, ConfChangeType } from '../types.js';

const VERSION = 1;
const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Encodes a {@link ConfChange} as the `data` of a ConfChange log entry.
 * Layout (big-endian): u8 version=1, u8 transition, u32 change count, per
 * change: u8 type, u32 id length, id UTF-8; then u32 context length, context.
 */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const ids = cc.changes.map((c) => utf8.encode(c.nodeId));
  const ctx = cc.context ?? new Uint8Array(0);
  let size = 1 + 1 + 4 + 4 + ctx.byteLength;
  for (const id of ids) size += 1 + 4 + id.byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let o = 0;
  out[o++] = VERSION;
  out[o++] = cc.transition;
  view.setUint32(o, cc.changes.length);
  o += 4;
  cc.changes.forEach((c, i) => {
    const id = ids[i]!;
    out[o++] = c.type;
    view.setUint32(o, id.byteLength);
    o += 4;
    out.set(id, o);
    o += id.byteLength;
  });
  view.setUint32(o, ctx.byteLength);
  o += 4;
  out.set(ctx, o);
  return out;
}

/**
 * Decodes what {@link encodeConfChange} produced.
 * @throws InvalidConfChangeError for bytes that are not a valid encoding.
 */
export function decodeConfChange(data: Uint8Array): ConfChange {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let o = 0;
  const need = (n: number) => {
    if (o + n > data.byteLength) throw new InvalidConfChangeError('encoded change is truncated');
  };
  need(6);
  if (data[o++] !== VERSION) throw new InvalidConfChangeError(`unknown encoding version ${data[0]}`);
  const transition = data[o++]!;
  if (!(transition in ConfChangeTransition))
    throw new InvalidConfChangeError(`unknown transition ${transition}`);
  const count = view.getUint32(o);
  o += 4;
  const changes: ConfChangeSingle[] = [];
  for (let i = 0; i < count; i++) {
    need(5);
    const type = data[o++]!;
    if (!(type in ConfChangeType)) throw new InvalidConfChangeError(`unknown change type ${type}`);
    const len = view.getUint32(o);
    o += 4;
    need(len);
    let nodeId: string;
    try {
      nodeId = utf8Decoder.decode(data.subarray(o, o + len));
    } catch {
      throw new InvalidConfChangeError('node id is not valid UTF-8');
    }
    o += len;
    changes.push({ type, nodeId });
  }
  need(4);
  const ctxLen = view.getUint32(o);
  o += 4;
  need(ctxLen);
  const context = data.slice(o, o + ctxLen);
  o += ctxLen;
  if (o !== data.byteLength) throw new InvalidConfChangeError('trailing bytes after the encoded change');
  return { transition, changes, context };
}
