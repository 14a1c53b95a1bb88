/**
 * Smoke test: the same devnet with its operator processes under Bun and under
 * Deno (both from their npm packages), running the built CLI.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevnet } from '../src/index.js';
import { alive, poll } from './poll.js';

describe.each(['bun', 'deno'] as const)('devnet operators on %s', (runtime) => {
  it('elect a leader and get tasks verified on-chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), `devnet-${runtime}-`));
    const lines: string[] = [];
    const devnet = await startDevnet({
      runtime,
      operators: 3,
      taskRate: 2,
      dataDir: dir,
      onLine: (l) => lines.push(l),
    });
    try {
      await poll(
        () => devnet.state.snapshot().totals.verified >= 2,
        `two tasks are verified with ${runtime} operators`,
      ).catch((e) => {
        throw new Error(`${(e as Error).message}\n${lines.slice(-40).join('\n')}`);
      });
      expect(devnet.state.snapshot().operators.filter((o) => o.up)).toHaveLength(3);
      // The operators really run under the runtime asked for.
      for (const p of devnet.operators) {
        const cmdline = await readFile(`/proc/${p.pid}/cmdline`, 'utf8');
        expect(cmdline.split('\0')[0]).toMatch(runtime === 'bun' ? /bun(\.exe)?$/ : /deno$/);
      }
    } finally {
      const pids = [...devnet.operators.map((p) => p.pid), devnet.chain.anvilPid];
      await devnet.stop();
      await rm(dir, { recursive: true, force: true });
      expect(pids.filter((pid) => alive(pid))).toEqual([]);
    }
  });
});
