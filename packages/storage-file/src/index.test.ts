import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/storage-file exports', () => {
  it('exports exactly the documented API (change deliberately)', () => {
    expect(Object.keys(api).sort()).toEqual([
      'CorruptionError',
      'DirectoryLockedError',
      'FileStorage',
      'FileStorageError',
      'FileStorageOptionsError',
      'consoleLogger',
      'crc32c',
      'nodeFileOps',
    ]);
  });

  it('errors have a literal name, a stable code and extend the package base class', () => {
    const corrupt = new api.CorruptionError('/d/wal-1.log', 42, 'checksum mismatch');
    expect(corrupt).toBeInstanceOf(api.FileStorageError);
    expect(corrupt).toMatchObject({
      name: 'CorruptionError',
      code: 'CORRUPT',
      file: '/d/wal-1.log',
      offset: 42,
    });
    expect(corrupt.message).toContain('/d/wal-1.log is corrupt at byte offset 42: checksum mismatch');
    const locked = new api.DirectoryLockedError('/d', 1);
    expect(locked).toMatchObject({ name: 'DirectoryLockedError', code: 'DIRECTORY_LOCKED', pid: 1 });
    expect(new api.FileStorageOptionsError('x')).toMatchObject({
      name: 'FileStorageOptionsError',
      code: 'INVALID_OPTIONS',
    });
  });
});
