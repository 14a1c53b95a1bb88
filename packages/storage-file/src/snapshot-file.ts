import { join } from 'node:path';
import { EMPTY_SNAPSHOT_METADATA, type Snapshot } from '@avs/raft-core';
import { ByteReader, ByteWriter } from './byte-writer.js';
import { crc32c } from './crc32c.js';
import { CorruptionError } from './errors.js';
import { type FileOps, writeFully } from './file-ops.js';
import type { StorageLogger } from './storage-logger.js';

/**
 * Snapshot files: `snap-<index hex16>-<term hex16>.snap`, content
 * `[magic u32][u32 metadata length][metadata JSON][u32 data length][data][crc32c u32]`.
 * Written to a temp file, fsynced, renamed into place, then the directory is
 * fsynced: a reader sees the old file or the whole new one.
 */
const SNAPSHOT_MAGIC = 0x50534156; // "AVSP"
const NAME = /^snap-([0-9a-f]{16})-([0-9a-f]{16})\.snap$/;

/** File name of the snapshot at `(index, term)`. */
export function snapshotFileName(index: number, term: number): string {
  return `snap-${index.toString(16).padStart(16, '0')}-${term.toString(16).padStart(16, '0')}.snap`;
}

/** Parses a snapshot file name, or returns undefined for other files. */
export function parseSnapshotFileName(name: string): { index: number; term: number } | undefined {
  const m = NAME.exec(name);
  return m ? { index: Number.parseInt(m[1]!, 16), term: Number.parseInt(m[2]!, 16) } : undefined;
}

/** Encodes a snapshot file's content. */
export function encodeSnapshot(snapshot: Snapshot): Uint8Array {
  const w = new ByteWriter(snapshot.data.length + 256);
  const meta = new TextEncoder().encode(JSON.stringify(snapshot.metadata));
  w.u32(SNAPSHOT_MAGIC);
  w.u32(meta.length);
  w.bytes(meta);
  w.u32(snapshot.data.length);
  w.bytes(snapshot.data);
  w.u32(crc32c(w.view8()));
  return w.view8();
}

/**
 * Decodes a snapshot file's content.
 * @throws CorruptionError when the checksum or the layout is wrong.
 */
export function decodeSnapshot(buf: Uint8Array, file: string): Snapshot {
  if (buf.length < 16)
    throw new CorruptionError(file, 0, `snapshot file of ${buf.length} bytes is too short`);
  const stored = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(buf.length - 4, true);
  const actual = crc32c(buf, 0, 0, buf.length - 4);
  if (stored !== actual) {
    throw new CorruptionError(
      file,
      0,
      `snapshot checksum mismatch (stored ${stored.toString(16)}, computed ${actual.toString(16)})`,
    );
  }
  try {
    const r = new ByteReader(buf, 0, buf.length - 4);
    if (r.u32() !== SNAPSHOT_MAGIC) throw new RangeError('bad magic');
    const metadata = JSON.parse(new TextDecoder().decode(r.bytes(r.u32())));
    const data = r.bytes(r.u32()).slice();
    return { metadata, data };
  } catch (error) {
    throw new CorruptionError(file, 0, `snapshot does not decode: ${(error as Error).message}`);
  }
}

/** Writes a snapshot file atomically (temp, fsync, rename, fsync directory). */
export async function writeSnapshotFile(fs: FileOps, dir: string, snapshot: Snapshot): Promise<string> {
  const name = snapshotFileName(snapshot.metadata.index, snapshot.metadata.term);
  const tmp = join(dir, `${name}.tmp`);
  const file = await fs.open(tmp, 'w');
  try {
    await writeFully(file, encodeSnapshot(snapshot), 0);
    await file.sync();
  } finally {
    await file.close();
  }
  await fs.rename(tmp, join(dir, name));
  await fs.syncDirectory(dir);
  return name;
}

/** Loads the snapshot the WAL refers to and removes any other snapshot file (left by a crash). */
export async function loadSnapshot(
  fs: FileOps,
  dir: string,
  ref: { index: number; term: number },
  names: readonly string[],
  logger: StorageLogger,
): Promise<Snapshot> {
  const keep = ref.index > 0 ? snapshotFileName(ref.index, ref.term) : undefined;
  for (const name of names) {
    if (name !== keep && parseSnapshotFileName(name)) {
      logger.info(`storage-file: removing snapshot file ${name}, which the log does not refer to`, {
        file: join(dir, name),
      });
      await fs.unlink(join(dir, name));
    }
  }
  if (!keep) return { metadata: EMPTY_SNAPSHOT_METADATA, data: new Uint8Array(0) };
  const path = join(dir, keep);
  if (!names.includes(keep))
    throw new CorruptionError(path, 0, 'the log refers to this snapshot but the file is missing');
  const snap = decodeSnapshot(await fs.readFile(path), path);
  if (snap.metadata.index !== ref.index || snap.metadata.term !== ref.term) {
    throw new CorruptionError(
      path,
      0,
      `holds snapshot (${snap.metadata.index}, ${snap.metadata.term}), expected (${ref.index}, ${ref.term})`,
    );
  }
  return snap;
}
