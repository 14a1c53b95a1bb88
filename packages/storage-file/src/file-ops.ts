import { writeSync } from 'node:fs';
import * as fs from 'node:fs/promises';

/** An open file as the storage uses it. `node:fs/promises`' `FileHandle` satisfies it. */
export interface FileLike {
  write(
    data: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  /**
   * Optional: the same write on the calling thread, returning the bytes written. Used for small
   * writes (see {@link SYNC_WRITE_MAX_BYTES}), which then cost no thread-pool round trip.
   */
  writeSync?(data: Uint8Array, offset: number, length: number, position: number): number;
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/**
 * Every file-system call that can make data durable or lose it. The default is
 * `node:fs/promises`; tests pass a wrapper that fails a chosen call (ENOSPC on
 * `write`, EIO on `datasync`) to prove a failed write is never acknowledged.
 */
export interface FileOps {
  open(path: string, flags: 'r' | 'r+' | 'w' | 'wx' | 'a+'): Promise<FileLike>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Uint8Array>;
  mkdir(path: string): Promise<void>;
  /** Makes directory entries (creates, renames, unlinks) in `path` durable. */
  syncDirectory(path: string): Promise<void>;
}

/**
 * Writes up to this size go to the page cache on the calling thread when the file offers
 * `writeSync`: copying a few KiB there takes microseconds, while an asynchronous write is a
 * thread-pool job and a wake-up of the event loop, which on a loaded machine each wait for a CPU,
 * on every node's path of every Raft append (the fdatasync that follows stays asynchronous).
 */
export const SYNC_WRITE_MAX_BYTES = 64 * 1024;

/** A `node:fs/promises` file handle with {@link FileLike.writeSync} on its descriptor. */
async function openNodeFile(path: string, flags: string): Promise<FileLike> {
  const handle = await fs.open(path, flags);
  return Object.assign(handle, {
    writeSync: (data: Uint8Array, offset: number, length: number, position: number) =>
      writeSync(handle.fd, data, offset, length, position),
  });
}

/** The real file system. */
export const nodeFileOps: FileOps = {
  open: (path, flags) => openNodeFile(path, flags),
  rename: (from, to) => fs.rename(from, to),
  link: (existing, newPath) => fs.link(existing, newPath),
  unlink: (path) => fs.unlink(path),
  readdir: (path) => fs.readdir(path),
  readFile: (path) => fs.readFile(path),
  mkdir: async (path) => {
    await fs.mkdir(path, { recursive: true });
  },
  syncDirectory: async (path) => {
    const dir = await fs.open(path, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};

/** Writes all of `data` at `position`, looping over short writes. */
export async function writeFully(file: FileLike, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  if (file.writeSync && data.length <= SYNC_WRITE_MAX_BYTES) {
    while (done < data.length) {
      const written = file.writeSync(data, done, data.length - done, position + done);
      if (written <= 0) throw new Error(`write returned ${written} bytes at position ${position + done}`);
      done += written;
    }
    return;
  }
  while (done < data.length) {
    const { bytesWritten } = await file.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0)
      throw new Error(`write returned ${bytesWritten} bytes at position ${position + done}`);
    done += bytesWritten;
  }
}

/** Reads exactly `length` bytes at `position`, or throws if the file ends first. */
export async function readFully(file: FileLike, length: number, position: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(out, done, length - done, position + done);
    if (bytesRead <= 0)
      throw new Error(`file ended at ${position + done}, expected ${length - done} more bytes`);
    done += bytesRead;
  }
  return out;
}
