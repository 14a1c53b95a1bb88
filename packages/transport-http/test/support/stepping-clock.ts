import { ManualClock, type TimerHandle } from '@avs/raft-core';

/** Handshake and request timestamps are epoch milliseconds; start the clock at one. */
const EPOCH_START = 1_764_000_000_000;

/**
 * raft-core's ManualClock, starting at an epoch time, that records every timer's delay and can jump
 * to the next timer: the transport's waits (retry backoff, frame gaps) then pass at once, in order.
 */
export class SteppingClock extends ManualClock {
  /** The delay of every timer set, in order. */
  readonly delays: number[] = [];
  readonly #due = new Map<TimerHandle, number>();

  constructor(start = EPOCH_START) {
    super(start);
  }

  override setTimeout(fn: () => void, ms: number): TimerHandle {
    this.delays.push(ms);
    const handle = super.setTimeout(() => {
      this.#due.delete(handle);
      fn();
    }, ms);
    this.#due.set(handle, this.now() + Math.max(0, ms));
    return handle;
  }

  override clearTimeout(handle: TimerHandle): void {
    this.#due.delete(handle);
    super.clearTimeout(handle);
  }

  /** Moves time to the earliest timer and fires it. @returns false when no timer is set */
  async step(): Promise<boolean> {
    if (this.#due.size === 0) return false;
    await this.advance(Math.min(...this.#due.values()) - this.now());
    return true;
  }

  /** Waits for `check`, firing timers as they come due (real time only bounds the wait). */
  async until(check: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      if (!(await this.step())) await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Awaits `work`, firing timers as they come due. */
  async settle<T>(work: Promise<T>): Promise<T> {
    let done = false;
    const observed = work.finally(() => {
      done = true;
    });
    await this.until(() => done, 'work to settle');
    return observed;
  }
}
