import { MemoryStorage, type Snapshot } from '@avs/raft-core';
import { describeStorageConformance } from '../src/conformance-suite.js';

/**
 * raft-core's reference MemoryStorage through the suite. A "location" is a
 * key in this map; reopening rebuilds a fresh MemoryStorage from the closed
 * one's state through the public API, which is what a process restart would
 * see if memory survived it.
 */
const locations = new Map<string, MemoryStorage>();
let next = 0;

async function reopen(location: string, beforeWrite?: () => void): Promise<MemoryStorage> {
  const fresh = new MemoryStorage(beforeWrite ? { beforeWrite } : {});
  const old = locations.get(location);
  locations.set(location, fresh);
  if (!old) return fresh;
  const { hardState } = await old.initialState().catch(() => ({ hardState: old.getHardState() }));
  const snap = old.snapshot();
  const offset = old.firstIndex() - 1;
  const last = old.lastIndex();
  const entries = last > offset ? old.entries(offset + 1, last + 1, Number.MAX_SAFE_INTEGER) : [];
  // The compaction point may sit below the snapshot: restore it first, then the snapshot.
  const base: Snapshot =
    offset === snap.metadata.index
      ? snap
      : { metadata: { ...snap.metadata, index: offset, term: old.term(offset) }, data: new Uint8Array(0) };
  fresh.saveSync({ ...(offset > 0 ? { snapshot: base } : {}), entries, hardState });
  if (base !== snap) await fresh.createSnapshot(snap);
  return fresh;
}

describeStorageConformance(
  '@avs/raft-core MemoryStorage',
  {
    createLocation: async () => `memory-${next++}`,
    removeLocation: async (location) => {
      locations.delete(location);
    },
    open: (location) => reopen(location),
    openWithFaults: async (location) => {
      let armed = false;
      const storage = await reopen(location, () => {
        if (armed) {
          armed = false;
          throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
        }
      });
      return { storage, injectFault: () => (armed = true) };
    },
  },
  {
    skip: { 'crash with SIGKILL': 'memory does not survive a process' },
  },
);
