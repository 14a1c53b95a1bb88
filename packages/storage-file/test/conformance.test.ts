import { fileURLToPath } from 'node:url';
import { describeStorageConformance, temporaryDirectories } from '@avs/storage-testkit';
import { FileStorage } from '../src/index.js';
import { faultyFs } from './faulty-fs.js';
import { quietLogger } from './quiet-logger.js';

// Small segments so rotation and whole-segment deletion happen inside every case.
const segmentBytes = 64 * 1024;

describeStorageConformance('@avs/storage-file', {
  ...temporaryDirectories('storage-file-conf-'),
  open: (dir) => FileStorage.open({ dir, segmentBytes, logger: quietLogger() }),
  openCold: (dir) => FileStorage.open({ dir, segmentBytes, cacheBytes: 0, logger: quietLogger() }),
  openWithFaults: async (dir) => {
    const faults = faultyFs();
    const storage = await FileStorage.open({ dir, segmentBytes, fs: faults.fs, logger: quietLogger() });
    return { storage, injectFault: () => faults.arm({ call: 'datasync', code: 'EIO' }) };
  },
  crash: { module: fileURLToPath(new URL('./crash-open.ts', import.meta.url)) },
});
