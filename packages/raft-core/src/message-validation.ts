import { EntryType, MessageType } from './types.js';

const isIndex = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const INDEX_FIELDS = ['term', 'logTerm', 'index', 'commit', 'rejectHint'] as const;
const isBytes = (b: unknown): b is Uint8Array => b instanceof Uint8Array;

/**
 * Why a message from the wire is malformed, or undefined if it is well formed.
 * Checks shapes only (types, ranges, required parts); the Raft rules decide
 * whether a well-formed message is in place.
 */
export function malformedReason(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'not an object';
  const x = m as Record<string, unknown>;
  if (typeof x.type !== 'number' || !(x.type in MessageType)) return 'unknown type';
  if (typeof x.from !== 'string' || x.from === '') return 'missing from';
  if (typeof x.to !== 'string' || x.to === '') return 'missing to';
  for (const k of INDEX_FIELDS) {
    if (!isIndex(x[k])) return `bad ${k}`;
  }
  if (typeof x.reject !== 'boolean') return 'bad reject';
  if (!isBytes(x.context)) return 'bad context';
  if (!Array.isArray(x.entries)) return 'bad entries';
  let prev = -1;
  for (const e of x.entries as unknown[]) {
    if (typeof e !== 'object' || e === null) return 'bad entry';
    const ent = e as Record<string, unknown>;
    if (!isIndex(ent.term) || !isIndex(ent.index) || !isBytes(ent.data)) return 'bad entry';
    if (ent.type !== EntryType.Normal && ent.type !== EntryType.ConfChange) return 'bad entry type';
    if (x.type === MessageType.App) {
      if (ent.index !== (prev < 0 ? (x.index as number) + 1 : prev + 1)) return 'entries not contiguous';
      if ((ent.term as number) < (x.logTerm as number) || (ent.term as number) > (x.term as number)) {
        return 'entry term out of range';
      }
      prev = ent.index as number;
    }
  }
  if (x.type === MessageType.Snap) {
    const c = x.snapshotChunk as Record<string, unknown> | undefined;
    if (typeof c !== 'object' || c === null) return 'snap without chunk';
    if (!isIndex(c.totalSize) || !isIndex(c.offset) || !isBytes(c.data) || typeof c.done !== 'boolean') {
      return 'bad snapshot chunk';
    }
    if ((c.offset as number) + (c.data as Uint8Array).byteLength > (c.totalSize as number)) {
      return 'chunk past total size';
    }
    const md = c.metadata as Record<string, unknown> | undefined;
    if (typeof md !== 'object' || md === null || !isIndex(md.index) || !isIndex(md.term) || md.index === 0) {
      return 'bad snapshot metadata';
    }
    const cs = md.confState as Record<string, unknown> | undefined;
    if (typeof cs !== 'object' || cs === null) return 'bad snapshot conf state';
    for (const k of ['voters', 'learners', 'votersOutgoing', 'learnersNext'] as const) {
      const v = cs[k];
      if (!Array.isArray(v) || !v.every((id) => typeof id === 'string' && id !== ''))
        return `bad conf state ${k}`;
    }
    if (typeof cs.autoLeave !== 'boolean') return 'bad conf state autoLeave';
  }
  return undefined;
}
