import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { FileStorage, type FileStorageOptions } from '../src/index.js';
import { quietLogger } from './quiet-logger.js';

const dirs: string[] = [];
const opened: FileStorage[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A fresh directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'storage-file-test-'));
  dirs.push(dir);
  return dir;
}

/** Opens a storage with a recording logger; closed after the test. */
export async function openStorage(
  dir: string,
  options: Omit<FileStorageOptions, 'dir'> = {},
): Promise<{ storage: FileStorage; logger: ReturnType<typeof quietLogger> }> {
  const logger = quietLogger();
  const storage = await FileStorage.open({ dir, logger, ...options });
  opened.push(storage);
  await storage.initialState();
  return { storage, logger };
}
