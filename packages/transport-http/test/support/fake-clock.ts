import type { Clock } from '../../src/clock.js';

/** A clock that moves only when told; `sleep` advances it and records the delay. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(public time = 1_764_000_000_000) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}
