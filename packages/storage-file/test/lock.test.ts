import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DirectoryLockedError, FileStorage } from '../src/index.js';
import { openStorage, tempDir } from './helpers.js';
import { quietLogger } from './quiet-logger.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./lock-child.ts', import.meta.url));

/** Opens `dir` from another process; returns what it reported. */
async function openFromOtherProcess(dir: string): Promise<{ opened: boolean; code?: string; pid?: number }> {
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@avs/source', '--import', 'tsx', child, dir],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    },
  );
  return JSON.parse(stdout);
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const { stdout } = await run(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(stdout);
}

describe('directory lock', () => {
  it('refuses a second storage in this process, naming the holder', async () => {
    const dir = await tempDir();
    await openStorage(dir);
    const error = await FileStorage.open({ dir, logger: quietLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DirectoryLockedError);
    expect(error).toMatchObject({ code: 'DIRECTORY_LOCKED', pid: process.pid, dir });
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('refuses a second process while the first holds it, and lets it in after close', async () => {
    const dir = await tempDir();
    const { storage } = await openStorage(dir);
    expect(await openFromOtherProcess(dir)).toMatchObject({
      opened: false,
      code: 'DIRECTORY_LOCKED',
      pid: process.pid,
    });
    await storage.close();
    expect(await openFromOtherProcess(dir)).toEqual({ opened: true });
  });

  it('takes over a stale lock left by a dead process and says so', async () => {
    const dir = await tempDir();
    const pid = await deadPid();
    await writeFile(join(dir, 'LOCK'), `${pid}\n`);
    const { storage, logger } = await openStorage(dir);
    expect(storage.lastIndex()).toBe(0);
    const warning = logger.lines.find((l) => l.message.includes('stale lock'));
    expect(warning?.message).toContain(`process ${pid}`);
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
  });

  it('treats an unreadable lock file as stale', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'LOCK'), 'garbage');
    const { logger } = await openStorage(dir);
    expect(logger.lines.some((l) => l.message.includes('stale lock'))).toBe(true);
  });
});
