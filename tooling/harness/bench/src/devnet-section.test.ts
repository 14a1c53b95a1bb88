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
    goals: {},
    notes: ['a note'],
  };
}

describe('devnetSection', () => {
  it('says "not measured yet" with the command when there is no result', () => {
    expect(devnetSection(undefined)).toContain(
      '**Not measured yet:** run `pnpm --filter @avs/bench bench:e2e`',
    );
  });

  it('renders every row and judges the goals on their rows, each with its load', () => {
    const md = devnetSection(
      result([
        row({ measuredSeconds: 60, verifiedPerSec: 310, aggregatedPerSec: 312, batchMaxTasks: 64 }),
        row({
          taskRate: 10,
          aggregateP50Ms: 40,
          aggregateP99Ms: 95,
          batchMaxTasks: 64,
          verifiedPerCreated: 0.97,
        }),
        row({ operators: 7, verifiedPerSec: 150, leaderCpuMsPerTask: null, aggregateP50Ms: 10 }),
        row({
          operators: 100,
          taskRate: 10,
          verifiedPerSec: 20,
          aggregateP50Ms: 700,
          maxVoters: 5,
          operatorsRssMiB: 9000,
          operatorsCpuCores: 1.5,
          loadAverageEnd1m: 9,
        }),
      ]),
      16_527,
    );
    expect(md).toContain(
      '| 7 | avs-raft, single responses | 100 | 5 | 4.80 | 150 | n/a | 10 | 900 | 1,800 | 4,000 | n/a | 300 | 60 | n/a | n/a | 0 | 0 | 0 | 30 | 3.50→n/a |',
    );
    expect(md).toContain(
      'verified on-chain/s sustained 60 s (goal ≥ 300): **met**: 310/s (312 aggregated/s, 5 created/s; load 3.50)',
    );
    expect(md).toContain(
      '3 operators, p50 request → aggregate at 10 tasks/s (goal ≤ 50 ms): **met**: 40 ms (p99 95; avs-raft, batch 64; load 3.50)',
    );
    expect(md).toContain(
      '100 operators, verified/s (goal ≥ 50): **NOT met**: 20/s at 5 created/s (avs-raft, single responses, 5 voters; 9,000 MiB RSS, 1.50 cores; load 3.50→9)',
    );
    expect(md).toContain(
      '100 operators, p50 request → aggregate at 10 tasks/s (goal ≤ 500 ms): **NOT met**: 700 ms',
    );
    expect(md).toContain('below saturation (goal ≥ 0.95): **met**: 0.970 (3 operators');
    expect(md).toContain('batch of 64 (goal ≤ 20,000): **met**: 16,527');
    expect(md).toContain('- a note');
  });

  it('judges the sustained goal only on 60-second rows, and says what was not measured', () => {
    const md = devnetSection(result([row({ verifiedPerSec: 400 })]));
    expect(md).toContain('sustained 60 s (goal ≥ 300): not measured in this run');
    expect(md).toContain('100 operators, verified/s (goal ≥ 50): not measured in this run');
    expect(md).toContain('batch of 64 (goal ≤ 20,000): not in bench-results/chain.json');
  });

  it('says the latency goal was not measured when no row has aggregate times, and renders a failed row', () => {
    const md = devnetSection(
      result([row({ aggregateP50Ms: null, aggregateP99Ms: null }), row({ operators: 15, error: 'a | b' })]),
    );
    expect(md).toContain('p50 request → aggregate at 10 tasks/s (goal ≤ 50 ms): not measured in this run');
    expect(md).toContain('| 15 | avs-raft, single responses | 100 | failed: a \\| b |');
  });
});
