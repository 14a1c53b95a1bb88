import { join } from 'node:path';
import { DirectoryLockedError } from './errors.js';
import { type FileOps, writeFully } from './file-ops.js';
import type { StorageLogger } from './storage-logger.js';

/** Name of the lock file in a storage directory. */
export const LOCK_FILE = 'LOCK';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the directory's lock: `LOCK` holding this process id, created with
 * `link()` from a fully written temp file, so it appears atomically and a
 * reader never sees it empty. A lock left by a dead process is replaced (and
 * logged); a live holder (including this process) makes the open fail.
 * Limit: a pid reused by an unrelated live process after a crash keeps the
 * lock taken; the error names the pid so an operator can check and delete it.
 * @throws DirectoryLockedError when a live process holds the lock.
 * @returns a function that releases the lock.
 */
export async function acquireDirectoryLock(
  fs: FileOps,
  dir: string,
  logger: StorageLogger,
): Promise<() => Promise<void>> {
  const lock = join(dir, LOCK_FILE);
  const tmp = join(dir, `${LOCK_FILE}.${process.pid}.tmp`);
  const file = await fs.open(tmp, 'w');
  try {
    await writeFully(file, new TextEncoder().encode(`${process.pid}\n`), 0);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.link(tmp, lock);
        await fs.syncDirectory(dir);
        return () => fs.unlink(lock);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      }
      const text = new TextDecoder().decode(await fs.readFile(lock)).trim();
      const pid = Number(text);
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) throw new DirectoryLockedError(dir, pid);
      logger.warn(
        `storage-file: removing stale lock ${lock} left by process ${text || '(empty)'}, which is not running`,
        {
          file: lock,
          pid: text,
        },
      );
      await fs.unlink(lock);
    }
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}
