import { describe, expect, it } from 'vitest';
import { DevnetState } from './devnet-state.js';

const add = (s: DevnetState, taskIndex: number, createdAtMs: number) =>
  s.addTask({ taskIndex, kind: 'square', label: `${taskIndex}²`, status: 'sent', createdAtMs });

describe('DevnetState', () => {
  it('records request → aggregate per task once, and reports its percentiles apart from request → verified', () => {
    const s = new DevnetState('http://127.0.0.1:1');
    add(s, 1, 1_000);
    add(s, 2, 1_000);
    add(s, 3, 1_000);
    s.markAggregated(1, 1_040);
    s.markAggregated(2, 1_090);
    s.markAggregated(2, 1_500); // a later view of the same aggregate changes nothing
    s.markAggregated(99, 2_000); // not tracked
    expect(s.task(2)?.aggregateLatencyMs).toBe(90);
    expect(s.task(3)?.aggregateLatencyMs).toBeUndefined();
    s.markVerified(1, '0xaa', '1');
    const snap = s.snapshot();
    expect(snap.totals.answered).toBe(2);
    expect(snap.aggregateLatency).toEqual({ p50: 40, p99: 90, samples: 2 });
    expect(s.outstanding()).toBe(1); // task 3: neither aggregated nor verified
    expect(snap.latency.p50).toBe(s.task(1)!.latencyMs);
  });

  it('counts a task verified without a seen aggregate as answered, with no aggregate sample', () => {
    const s = new DevnetState('http://127.0.0.1:1');
    add(s, 5, 1_000);
    add(s, 6, 1_000);
    expect(s.outstanding()).toBe(2);
    s.markVerified(5, '0xbb', '25');
    s.markFinal(6, 'expired');
    expect(s.outstanding()).toBe(0);
    const snap = s.snapshot();
    expect(snap.totals.answered).toBe(1);
    expect(snap.aggregateLatency.samples).toBe(0);
  });

  it('latencySince leaves out tasks created before the window (a warm-up)', () => {
    const s = new DevnetState('http://127.0.0.1:1');
    add(s, 1, 1_000);
    add(s, 2, 5_000);
    add(s, 3, 5_000);
    s.markAggregated(1, 3_000); // warm-up: 2 s
    s.markAggregated(2, 5_010);
    s.markAggregated(3, 5_030);
    const w = s.latencySince(5_000);
    expect(w.aggregate).toEqual({ p50: 10, p99: 30, samples: 2 });
    expect(w.verified.samples).toBe(0);
    expect(s.latencySince(0).aggregate.samples).toBe(3);
  });
});
