import type { FileLike, FileOps } from '../src/index.js';
import { nodeFileOps } from '../src/index.js';

/** Which call fails next, and with which errno. */
export type Fault = { call: 'write'; code: 'ENOSPC' | 'EIO' } | { call: 'datasync'; code: 'EIO' };

/**
 * The real file system with a one-shot fault: after `arm(fault)` the next
 * matching call on any file opened through it fails like the kernel would.
 */
export function faultyFs(): { fs: FileOps; arm(fault: Fault): void; fired(): number } {
  let armed: Fault | undefined;
  let fired = 0;
  const trip = (call: Fault['call']) => {
    if (armed?.call !== call) return;
    const code = armed.code;
    armed = undefined;
    fired++;
    throw Object.assign(new Error(`${code}: injected ${call} failure`), { code });
  };
  const wrap = (file: FileLike): FileLike => ({
    write: async (data, offset, length, position) => {
      trip('write');
      return file.write(data, offset, length, position);
    },
    // Small writes take this path on the real file system: fail it the same way.
    ...(file.writeSync
      ? {
          writeSync: (data: Uint8Array, offset: number, length: number, position: number) => {
            trip('write');
            return file.writeSync!(data, offset, length, position);
          },
        }
      : {}),
    read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
    datasync: async () => {
      trip('datasync');
      return file.datasync();
    },
    sync: async () => {
      trip('datasync');
      return file.sync();
    },
    truncate: (length) => file.truncate(length),
    stat: () => file.stat(),
    close: () => file.close(),
  });
  return {
    fs: { ...nodeFileOps, open: async (path, flags) => wrap(await nodeFileOps.open(path, flags)) },
    arm: (fault) => {
      armed = fault;
    },
    fired: () => fired,
  };
}
