import type { Storage } from '@avs/raft-core';
import { FileStorage } from '../src/index.js';
import { quietLogger } from './quiet-logger.js';

/**
 * Opened by the testkit's crash child. Small segments, so kills land during
 * rotation and compaction too.
 */
export function openStorage(location: string): Promise<Storage> {
  return FileStorage.open({ dir: location, segmentBytes: 16 * 1024, logger: quietLogger() });
}
