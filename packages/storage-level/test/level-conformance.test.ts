import { fileURLToPath } from 'node:url';
import { KvStorage } from '@avs/storage-kv';
import { describeStorageConformance, temporaryDirectories } from '@avs/storage-testkit';
import { createLevelStorage, LevelBackend } from '../src/index.js';

describeStorageConformance('@avs/storage-level', {
  ...temporaryDirectories('avs-storage-level-'),
  open: async (location) => createLevelStorage({ location }),
  // 64 entries of the cold case's 1 KiB in the tail, 128 in the cold cache: most reads must load.
  openCold: async (location) =>
    createLevelStorage({ location, tailBytes: 64 * 1024, coldBytes: 128 * 1024, coldReadBytes: 32 * 1024 }),
  openWithFaults: async (location) => {
    const backend = new LevelBackend(location, 1024 * 1024);
    const storage = new KvStorage(backend, { label: `leveldb ${location}` });
    // classic-level's own refusal of a write on a database closed underneath: a real failed write.
    return { storage, injectFault: () => void backend.breakForTests() };
  },
  crash: { module: fileURLToPath(new URL('./crash-open.ts', import.meta.url)) },
});
