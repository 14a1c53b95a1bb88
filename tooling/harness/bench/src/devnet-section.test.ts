import { describe, expect, it } from 'vitest';
import type { DevnetResult, DevnetRow } from './devnet-e2e.js';
import { devnetSection } from './devnet-section.js';

function row(over: Partial<DevnetRow>): DevnetRow {
  return {
    operators: 3,
    taskRate: 100,
    measuredSeconds: 30,
    verifiedPerSec: 4.5,
    createdPerSec: 5,
    aggregatedPerSec: 4.8,
    latencyP50Ms: 1800,
    latencyP99Ms: 4000,
    aggregateP50Ms: 250,
    aggregateP99Ms: 900,
    aggregateSamples: 40,
    leaderCpuMsPerTask: 120.5,
    operatorsCpuMsPerTask: 300,
    operatorsCpuMsPerAggregated: 60,
    loadAverage1m: 3.5,
    expired: 0,
    failed: 0,
    leaderChanges: 0,
    ...over,
  };
}

function result(rows: DevnetRow[]): DevnetResult {
  return {
    benchmark: 'devnet-e2e',
    date: '2026-11-25T14:00:00.000Z',
    machine: {
      cpuModel: 'Test CPU',
      nproc: 2,
      memoryGiB: 8,
      freeMemoryGiB: 4,
      node: 'v20.20.2',
      platform: 'linux',
      loadAverage1m: 1.5,
    },
    warmupSeconds: 10,
    rows,
    goals: { tasksPerSecWith3: 100, p50BeforeChainMs: 100 },
    notes: ['a note'],
  };
}

describe('devnetSection', () => {
  it('says "not measured yet" with the command when there is no result', () => {
    expect(devnetSection(undefined)).toContain(
      '**Not measured yet:** run `pnpm --filter @avs/bench bench:e2e`',
    );
  });

  it('renders every row and judges both goals on the 3-operator rows', () => {
    const md = devnetSection(
      result([
        row({}),
        row({ taskRate: 10, aggregateP50Ms: 60, aggregateP99Ms: 95 }),
        row({ operators: 7, verifiedPerSec: 150, leaderCpuMsPerTask: null, aggregateP50Ms: 10 }),
      ]),
    );
    expect(md).toContain(
      '| 3 | 100 | 5 | 4.80 | 4.50 | 250 | 900 | 1,800 | 4,000 | 121 | 300 | 60 | 0 | 0 | 0 | 3.50 |',
    );
    expect(md).toContain(
      '| 7 | 100 | 5 | 4.80 | 150 | 10 | 900 | 1,800 | 4,000 | n/a | 300 | 60 | 0 | 0 | 0 | 3.50 |',
    );
    // 150/s with 7 operators does not count for the 3-operator goal.
    expect(md).toContain(
      '100 tasks/s with 3 operators: **NOT met** (best 4.50 verified on-chain/s; best 4.80 aggregated/s)',
    );
    expect(md).toContain('**NOT met** at 100 requests/s asked (5 tasks/s created): p50 250 ms, p99 900 ms');
    expect(md).toContain('**met** at 10 requests/s asked (5 tasks/s created): p50 60 ms, p99 95 ms');
    expect(md).toContain('- a note');
  });

  it('reports the throughput goal met when 3 operators reach 100 verified tasks/s', () => {
    const md = devnetSection(result([row({ verifiedPerSec: 120, aggregateP50Ms: 80 })]));
    expect(md).toContain('100 tasks/s with 3 operators: **met** (best 120 verified on-chain/s');
    expect(md).toContain('**met** at 100 requests/s asked');
  });

  it('says the latency goal was not measured when no row has aggregate times, and renders a failed row', () => {
    const md = devnetSection(
      result([row({ aggregateP50Ms: null, aggregateP99Ms: null }), row({ operators: 15, error: 'a | b' })]),
    );
    expect(md).toContain('before the on-chain transaction: not measured in this run');
    expect(md).toContain('| 15 | 100 | failed: a \\| b |');
  });
});
