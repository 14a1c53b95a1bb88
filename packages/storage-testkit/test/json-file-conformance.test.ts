import { fileURLToPath } from 'node:url';
import { describeStorageConformance } from '../src/conformance-suite.js';
import { temporaryDirectories } from '../src/temporary-directories.js';
import { JsonFileStorage } from './json-file-storage.js';

// The suite run against a deliberately simple real backend, so the suite itself is tested.
describeStorageConformance(
  'testkit self-check: JsonFileStorage',
  {
    ...temporaryDirectories('storage-testkit-'),
    open: (dir) => JsonFileStorage.open(dir),
    openCold: (dir) => JsonFileStorage.open(dir, { hotEntries: 10 }),
    openWithFaults: async (dir) => {
      const storage = await JsonFileStorage.open(dir);
      return { storage, injectFault: () => storage.injectFault() };
    },
    crash: { module: fileURLToPath(new URL('./json-file-crash-open.ts', import.meta.url)), rounds: 2 },
  },
  { randomOperations: 150 },
);
