import * as fs from 'node:fs/promises';

/** An open file as the storage uses it. `node:fs/promises`' `FileHandle` satisfies it. */
export interface FileLike {
  write(
    data: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
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

/** The real file system. */
export const nodeFileOps: FileOps = {
  open: (path, flags) => fs.open(path, flags),
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
