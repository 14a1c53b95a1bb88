/**
 * Every package benchmark in its smoke mode (`BENCH_SMOKE=1`, short phases),
 * as a child process, with its JSON written to a temporary directory
 * (`BENCH_RESULTS_DIR`) so `bench-results/` is never touched. It keeps the
 * scripts from rotting; the figures mean nothing and are not asserted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const outDir = mkdtempSync(join(tmpdir(), 'package-bench-smoke-'));

/** Package directory, bench script (relative to it), the JSON file it writes, and a key that JSON must hold. */
const BENCHES = [
  ['raft-core', 'bench/raft-core.bench.ts', 'raft-core.json', 'rows'],
  ['storage-file', 'bench/storage-file.bench.ts', 'storage.json', 'storage-file'],
  ['storage-level', 'bench/storage-level.bench.ts', 'storage.json', 'storage-level'],
  ['storage-dynamodb', 'bench/storage-dynamodb.bench.ts', 'storage.json', 'storage-dynamodb'],
  ['bls', 'bench/bls.bench.ts', 'bls.json', 'primitives'],
  ['transport-http', 'bench/transport.bench.ts', 'transport.json', 'rows'],
  ['chain', 'bench/chain.bench.ts', 'chain.json', 'rows'],
] as const;

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('package benchmarks, smoke mode', () => {
  for (const [pkg, script, file, key] of BENCHES) {
    it(`${pkg}: ${script} exits 0, prints figures and writes ${file}`, () => {
      const cwd = join(repoRoot, 'packages', pkg);
      const r = spawnSync(process.execPath, ['--conditions=@avs/source', '--import', 'tsx', script], {
        cwd,
        encoding: 'utf8',
        timeout: 90_000,
        env: {
          ...process.env,
          BENCH_SMOKE: '1',
          BENCH_MS: '100',
          BENCH_PHASE_MS: '20',
          BENCH_RESULTS_DIR: outDir,
        },
      });
      expect(r.error, String(r.error)).toBeUndefined();
      expect(r.status, `${pkg} bench failed:\n${r.stderr.slice(-2000)}`).toBe(0);
      expect(r.stdout).toContain(join(outDir, file));
      expect(r.stdout).toMatch(/\d/);
      const written = JSON.parse(readFileSync(join(outDir, file), 'utf8')) as Record<string, unknown>;
      expect(written[key]).toBeDefined();
    });
  }
});
