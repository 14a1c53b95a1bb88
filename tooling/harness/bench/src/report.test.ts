import { describe, expect, it } from 'vitest';
import type { KvVsEtcdResult } from './kv-vs-etcd.js';
import { renderPackageResults } from './package-results.js';
import { buildReport } from './report.js';

const row = (
  target: 'kv-http' | 'etcd-grpc' | 'etcd-gateway',
  workload: 'write' | 'read',
  inFlight: number,
  opsPerSec: number,
  p50Ms: number,
) => ({
  target,
  workload,
  inFlight,
  opsPerSec,
  p50Ms,
  p90Ms: p50Ms * 2,
  p99Ms: p50Ms * 3,
  meanMs: p50Ms,
  maxMs: p50Ms * 4,
  count: 100,
  ops: 100,
  errors: 0,
  durationMs: 1000,
  serverCpuMsPerOp: target === 'kv-http' ? 2 : 0.5,
});

const kvResult: KvVsEtcdResult = {
  benchmark: 'kv-vs-etcd',
  date: '2026-01-01T00:00:00.000Z',
  smoke: false,
  machine: {
    cpuModel: 'Test CPU',
    nproc: 2,
    memoryGiB: 8,
    freeMemoryGiB: 4,
    node: 'v20.0.0',
    platform: 'linux x64',
    loadAverage1m: 1.5,
  },
  settings: {
    levels: [1, 64],
    maxOps: 100,
    maxDurationMs: 1000,
    warmupOps: 0,
    keySpace: 10,
    valueBytes: 256,
  },
  kv: { storage: 'file', fsync: true, processes: 3, tickMs: 100 },
  etcd: { measured: true, version: '3.4.23' },
  rows: [
    row('kv-http', 'write', 1, 100, 10),
    row('etcd-grpc', 'write', 1, 200, 5),
    row('kv-http', 'write', 64, 1000, 60),
    row('etcd-grpc', 'write', 64, 800, 80),
  ],
  ratios: [
    {
      workload: 'write',
      inFlight: 1,
      etcdFasterPath: 'etcd-grpc',
      kvOpsPerSec: 100,
      etcdOpsPerSec: 200,
      throughputRatio: 0.5,
      p50Ratio: 2,
      p99Ratio: 2,
    },
    {
      workload: 'write',
      inFlight: 64,
      etcdFasterPath: 'etcd-grpc',
      kvOpsPerSec: 1000,
      etcdOpsPerSec: 800,
      throughputRatio: 1.25,
      p50Ratio: 0.75,
      p99Ratio: 0.75,
    },
  ],
  goals: [
    { goal: 'write throughput at 64 in flight ≥ 1.0× etcd', target: 1, measured: 1.25, met: true },
    { goal: 'write p50 latency at 1 in flight ≤ 1.2× etcd', target: 1.2, measured: 2, met: false },
  ],
  loadAverage1mAtEnd: 2,
};

describe('buildReport', () => {
  it('states the machine, the goals met and not met, and the charts', () => {
    const report = buildReport({ 'kv-vs-etcd.json': kvResult }, 'benchmarks');
    const md = report.markdown;
    expect(md).toContain('| CPU | Test CPU |');
    expect(md).toContain('| logical CPUs (nproc) | 2 |');
    expect(md).toContain('| Node.js | v20.0.0 |');
    expect(md).toContain('**Not met:** write p50 latency at 1 in flight ≤ 1.2× etcd: measured 2.00×');
    expect(md).toContain('Met: write throughput at 64 in flight ≥ 1.0× etcd (measured 1.25×)');
    expect(md).toContain('4.0×'); // CPU per write, kv vs etcd, at the top level
    expect(md).toContain('![write throughput](benchmarks/kv-vs-etcd-write-throughput.svg)');
    expect(Object.keys(report.charts).sort()).toEqual([
      'kv-vs-etcd-write-p50.svg',
      'kv-vs-etcd-write-throughput.svg',
    ]);
    for (const svg of Object.values(report.charts)) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg).toMatch(/^<svg [^>]*role="img">\n<title>[^<]+<\/title>/);
      expect(svg).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    }
  });

  it('says which package results are missing and that the end-to-end figures are not measured yet', () => {
    const md = buildReport(
      { 'raft-core.json': { rows: [{ scenario: 'x', entriesPerSec: 5 }] } },
      'b',
    ).markdown;
    expect(md).toContain('Not measured yet: run `pnpm --filter @avs/bench bench`.');
    expect(md).toContain('| scenario | entriesPerSec |');
    expect(md).toContain('Not produced yet: run `pnpm --filter @avs/bls bench`.');
    expect(md).toMatch(
      /## End to end on the operator devnet[\s\S]*\*\*Not measured yet:\*\* run `pnpm --filter @avs\/bench bench:e2e`/,
    );
    expect(md).not.toMatch(/tasks per second: \d/);
  });
});

describe('renderPackageResults', () => {
  it('renders rows as tables, goals as a goal table and other leaves by path', () => {
    const md = renderPackageResults({
      node: 'v20',
      rows: [{ a: 1, b: 'x|y' }],
      nested: { inner: { value: 1.23456 } },
      goals: { fast: { target: 10, measured: 5, met: false } },
    });
    expect(md).toContain('| node | v20 |');
    expect(md).toContain('| a | b |');
    expect(md).toContain('| 1 | x\\|y |');
    expect(md).toContain('| fast | 10 | 5 | ❌ no |');
    expect(md).toContain('**nested**\n\n| field | value |\n| --- | --- |\n| inner.value | 1.23 |');
  });
});
