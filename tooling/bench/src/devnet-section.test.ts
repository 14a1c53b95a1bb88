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
    latencyP50Ms: 1800,
    latencyP99Ms: 4000,
    leaderCpuMsPerTask: 120.5,
    operatorsCpuMsPerTask: 300,
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

  it('renders every row and judges the throughput goal on the 3-operator rows', () => {
    const md = devnetSection(
      result([row({}), row({ operators: 7, verifiedPerSec: 150, leaderCpuMsPerTask: null })]),
    );
    expect(md).toContain('| 3 | 100 | 5 | 4.50 | 1,800 | 4,000 | 121 | 300 | 0 | 0 | 0 |');
    expect(md).toContain('| 7 | 100 | 5 | 150 | 1,800 | 4,000 | n/a | 300 | 0 | 0 | 0 |');
    // 150/s with 7 operators does not count for the 3-operator goal.
    expect(md).toContain('100 tasks/s with 3 operators: **NOT met** (best 4.50 verified/s)');
    expect(md).toContain('**not measured directly**');
    expect(md).toContain('- a note');
  });

  it('reports the goal met when 3 operators reach 100 verified tasks/s', () => {
    const md = devnetSection(result([row({ verifiedPerSec: 120, latencyP50Ms: 80 })]));
    expect(md).toContain('100 tasks/s with 3 operators: **met** (best 120 verified/s)');
    expect(md).toContain('is 80 ms, so the goal is met');
  });
});
