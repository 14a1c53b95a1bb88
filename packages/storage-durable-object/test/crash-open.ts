import type { Storage } from '@avs/raft-core';
import { remoteStorage } from './support/remote-backend.js';

/**
 * The crash child's storage: the object named `location` in the workerd the
 * parent started (`AVS_STORAGE_WORKER_URL`). Opening aborts the object first.
 */
export async function openStorage(location: string): Promise<Storage> {
  const url = process.env.AVS_STORAGE_WORKER_URL;
  if (!url) throw new Error('AVS_STORAGE_WORKER_URL is not set');
  return remoteStorage(url, location).storage;
}
