/**
 * The smoke version of the whole suite (seconds): three real kv processes
 * and, when etcd is installed, three real etcd members, driven by the same
 * load generator with tiny counts; then the report is built from the result.
 * It keeps the harness from rotting; its figures mean nothing.
 */
import { describe, expect, it } from 'vitest';
import { ensureEtcd } from '../src/etcd-cluster.js';
import { runKvVsEtcd, SMOKE_OPTIONS } from '../src/kv-vs-etcd.js';
import { buildReport } from '../src/report.js';

describe('bench smoke: kv vs etcd', () => {
  it('measures kv (and etcd when installed) and reports it', async () => {
    const etcd = ensureEtcd(false, () => {});
    if (!etcd.available) {
      // Visible on purpose: the etcd half is skipped only because etcd is not installed here.
      console.warn(`[bench smoke] NOTE: ${etcd.reason}; the etcd half of the smoke run is skipped`);
    }
    const lines: string[] = [];
    const result = await runKvVsEtcd({ ...SMOKE_OPTIONS, log: (l) => lines.push(l) });
    const targets = etcd.available ? ['kv-http', 'etcd-gateway', 'etcd-grpc'] : ['kv-http'];
    for (const target of targets) {
      for (const workload of ['write', 'read'] as const) {
        for (const inFlight of SMOKE_OPTIONS.levels) {
          const row = result.rows.find(
            (r) => r.target === target && r.workload === workload && r.inFlight === inFlight,
          );
          expect(row, `${target} ${workload} ${inFlight}`).toBeDefined();
          expect(row!.errors, row!.firstError).toBe(0);
          expect(row!.ops).toBeGreaterThan(0);
          expect(row!.p50Ms).toBeGreaterThan(0);
        }
      }
    }
    expect(result.etcd.measured).toBe(etcd.available);
    if (etcd.available) expect(result.ratios.length).toBe(2 * SMOKE_OPTIONS.levels.length);
    else expect(result.etcd.note).toMatch(/not installed/);
    const report = buildReport({ 'kv-vs-etcd.json': result }, 'benchmarks');
    expect(report.markdown).toContain('smoke run');
    // The profiled leader run worked and attributed CPU to our packages.
    expect(result.leaderProfile && !('error' in result.leaderProfile)).toBe(true);
    if (result.leaderProfile && !('error' in result.leaderProfile)) {
      expect(result.leaderProfile.writes).toBeGreaterThan(0);
      expect(result.leaderProfile.categories.map((c) => c.category)).toContain('@avs/raft-core');
    }
    expect(report.markdown).toContain('Where a kv leader’s CPU goes');
    expect(Object.keys(report.charts).length).toBe(4);
  });
});
