import type { Storage } from '@avs/raft-core';
import { JsonFileStorage } from './json-file-storage.js';

/** Opens the test backend for the crash child. */
export function openStorage(location: string): Promise<Storage> {
  return JsonFileStorage.open(location);
}
