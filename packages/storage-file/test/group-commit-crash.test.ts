import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeEntries, plainEntry, StorageReader } from '@avs/storage-testkit';
import { describe, expect, it } from 'vitest';
import { openStorage, tempDir } from './helpers.js';

const child = fileURLToPath(new URL('./pipelined-child.ts', import.meta.url));

/** Runs the child until it acknowledged `acks` saves, kills it with SIGKILL, returns the highest ack. */
function runUntilKilled(
  dir: string,
  acks: number,
): Promise<{ acked: number; compacted: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--conditions=@avs/source', '--import', 'tsx', child, dir], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = 0;
    let compacted = 0;
    let count = 0;
    let buffered = '';
    let stderr = '';
    p.stderr.on('data', (d) => {
      stderr += d;
    });
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [kind, value] = line.split(' ');
        if (kind === 'ack') {
          acked = Math.max(acked, Number(value));
          if (++count === acks) p.kill('SIGKILL');
        } else if (kind === 'compacted') compacted = Number(value);
      }
    });
    p.on('error', reject);
    p.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code} before the kill: ${stderr}`));
      else resolve({ acked, compacted, stderr });
    });
  });
}

describe('group commit under SIGKILL', () => {
  it('every save acknowledged before the kill survives, across rotations and compactions', async () => {
    const dir = await tempDir();
    for (const acks of [120, 250, 60]) {
      const { acked, compacted } = await runUntilKilled(dir, acks);
      const { storage } = await openStorage(dir, { segmentBytes: 16 * 1024 });
      expect(storage.lastIndex()).toBeGreaterThanOrEqual(acked);
      const first = storage.firstIndex();
      // An acknowledged compaction stays done; the log never starts past what was acknowledged.
      expect(first).toBeGreaterThanOrEqual(compacted + 1);
      expect(first).toBeLessThanOrEqual(acked);
      const got = await new StorageReader(storage).allEntries(first, acked + 1);
      expect(got.map((e) => [e.index, e.term])).toEqual(
        makeEntries(first, acked, 1).map((e) => [e.index, e.term]),
      );
      // Payloads are deterministic per (index, term, size): check them byte for byte.
      for (const e of got)
        expect(plainEntry(e)).toEqual(plainEntry(makeEntries(e.index, e.index, 1, e.data.length)[0]!));
      await storage.close();
    }
  }, 120_000);
});
