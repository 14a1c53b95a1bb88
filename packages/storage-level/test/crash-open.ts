import type { Storage } from '@avs/raft-core';
import { createLevelStorage } from '../src/index.js';

/** Opens the LevelDB storage in the conformance suite's crash child. */
export async function openStorage(location: string): Promise<Storage> {
  return createLevelStorage({ location });
}
