import type { Ready } from '../ready.js';
import type { StorageUpdate } from '../storage.js';
import type { Entry, HardState, Snapshot } from '../types.js';

/**
 * The one storage write that persists `readies` (consecutive, in order), or
 * undefined when none of them has anything to persist. Writing them together
 * is what a sequence of separate writes would leave behind: a later snapshot
 * replaces the log, later entries replace the suffix from their first index,
 * the latest hard state wins.
 */
export function mergeReadyWrites(readies: readonly Ready[]): StorageUpdate | undefined {
  let snapshot: Snapshot | undefined;
  let entries: readonly Entry[] = [];
  let owned = false; // whether `entries` is our own copy (safe to extend)
  let hardState: HardState | undefined;
  for (const rd of readies) {
    if (rd.snapshot) {
      snapshot = rd.snapshot;
      entries = [];
      owned = false;
    }
    const next = rd.entries;
    if (next.length > 0) {
      const keep = entries.length === 0 ? 0 : next[0]!.index - entries[0]!.index;
      if (keep <= 0) {
        entries = next;
        owned = false;
      } else {
        const out: Entry[] = owned ? (entries as Entry[]) : entries.slice(0, keep);
        if (out.length > keep) out.length = keep;
        for (const e of next) out.push(e);
        entries = out;
        owned = true;
      }
    }
    if (rd.hardState) hardState = rd.hardState;
  }
  if (snapshot === undefined && entries.length === 0 && hardState === undefined) return undefined;
  return {
    ...(snapshot ? { snapshot } : {}),
    ...(entries.length > 0 ? { entries } : {}),
    ...(hardState ? { hardState } : {}),
  };
}
