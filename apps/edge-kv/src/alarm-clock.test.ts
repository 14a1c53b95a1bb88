import { describe, expect, it } from 'vitest';
import { AlarmClock, type RuntimeTimers } from './alarm-clock.js';

/** Runtime timers on a hand-moved clock; `asleep` drops them, as eviction from memory would. */
class FakeRuntime implements RuntimeTimers {
  time = 1_000_000;
  asleep = false;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due || this.asleep) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
    }
    this.time = end;
  }
}

function setup(wakeMs = 1_000) {
  const runtime = new FakeRuntime();
  const alarms: number[] = [];
  const clock = new AlarmClock({ setAlarm: async (at) => void alarms.push(at) }, { wakeMs, runtime });
  return { runtime, alarms, clock };
}

/** A Raft-style tick: re-arms itself every `ms`, counting. */
function ticker(clock: AlarmClock, ms: number) {
  const state = { ticks: 0 };
  const tick = () => {
    state.ticks++;
    clock.setTimeout(tick, ms);
  };
  clock.setTimeout(tick, ms);
  return state;
}

describe('AlarmClock', () => {
  it('fires timers in time order from the runtime timer while awake', () => {
    const { runtime, clock } = setup();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cancelled);
    runtime.advance(30);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.pending).toBe(0);
  });

  it('batches alarms: about one storage write per wakeMs, not one per tick', () => {
    const { runtime, alarms, clock } = setup(1_000);
    const t = ticker(clock, 50);
    for (let i = 0; i < 100; i++) {
      runtime.advance(50);
      // The runtime delivers the alarm when it falls due.
      if (alarms.length > 0 && (alarms.at(-1) as number) <= runtime.time) clock.onAlarm();
    }
    expect(t.ticks).toBe(100);
    // 5 s of 50 ms ticks: ~5 alarm writes, never one per tick (100).
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    expect(alarms.length).toBeLessThanOrEqual(7);
    expect(clock.alarmWrites).toBe(alarms.length);
  });

  it('keeps the alarm no later than wakeMs after the earliest timer', () => {
    const { alarms, clock, runtime } = setup(1_000);
    clock.setTimeout(() => {}, 5_000);
    expect(alarms).toEqual([runtime.time + 6_000]);
    clock.setTimeout(() => {}, 100);
    expect(alarms).toEqual([runtime.time + 6_000, runtime.time + 1_100]);
  });

  it('when runtime timers are lost (object asleep), the alarm fires every due timer', () => {
    const { runtime, clock } = setup(1_000);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(1), 100);
    clock.setTimeout(() => fired.push(2), 300);
    clock.setTimeout(() => fired.push(3), 5_000);
    runtime.asleep = true;
    runtime.advance(1_100);
    expect(fired).toEqual([]);
    clock.onAlarm();
    expect(fired).toEqual([1, 2]);
    expect(clock.pending).toBe(1);
  });
});
