import { describe, expect, it } from 'vitest';
import { summarize } from './latency-stats.js';
import { runLoad } from './load-generator.js';

describe('summarize', () => {
  it('computes nearest-rank percentiles, mean and max', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(s).toEqual({ count: 100, meanMs: 50.5, p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100 });
    expect(summarize([]).count).toBe(0);
    expect(summarize([7]).p99Ms).toBe(7);
  });
});

describe('runLoad', () => {
  it('never starts more than maxOps operations and never exceeds inFlight at once', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const r = await runLoad(
      async (i) => {
        seen.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running--;
      },
      { inFlight: 4, maxOps: 25, maxDurationMs: 60_000, warmupOps: 3 },
    );
    expect(r.ops).toBe(25);
    expect(seen).toHaveLength(28);
    expect(new Set(seen).size).toBe(28);
    expect(peak).toBeLessThanOrEqual(4);
    expect(r.count).toBe(25);
    expect(r.opsPerSec).toBeGreaterThan(0);
  });

  it('counts failures as errors, outside the latency sample', async () => {
    const r = await runLoad(
      async (i) => {
        if (i % 2 === 1) throw new Error(`odd ${i}`);
      },
      { inFlight: 2, maxOps: 10, maxDurationMs: 60_000 },
    );
    expect(r.ops).toBe(5);
    expect(r.errors).toBe(5);
    expect(r.count).toBe(5);
    expect(r.firstError).toMatch(/^odd /);
  });

  it('stops starting operations once the time bound has passed', async () => {
    const r = await runLoad(() => new Promise((resolve) => setTimeout(resolve, 20)), {
      inFlight: 1,
      maxOps: 1_000_000,
      maxDurationMs: 100,
    });
    expect(r.ops).toBeLessThan(1_000_000);
    expect(r.ops).toBeGreaterThan(0);
  });

  it('refuses bounds that are not positive integers', async () => {
    await expect(runLoad(async () => {}, { inFlight: 0, maxOps: 1, maxDurationMs: 1 })).rejects.toThrow(
      RangeError,
    );
    await expect(runLoad(async () => {}, { inFlight: 1, maxOps: 1.5, maxDurationMs: 1 })).rejects.toThrow(
      /maxOps must be a positive integer/,
    );
  });
});
