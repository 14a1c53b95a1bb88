import type { Entry } from '@avs/raft-core';

/** Bytes an entry counts for against `maxBytes` and cache budgets: its payload. */
export function entrySize(entry: Entry): number {
  return entry.data.byteLength;
}
