import type { Clock, TimerHandle } from '@avs/raft-core';

/** The alarm half of a Durable Object's `ctx.storage`. */
export interface AlarmStorage {
  setAlarm(scheduledTime: number): Promise<void>;
}

/** The runtime's own time and timers (injectable for tests). */
export interface RuntimeTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link AlarmClock}. */
export interface AlarmClockOptions {
  /**
   * The Durable Object alarm is kept at most this long after the earliest due
   * timer, ms (default 1 000). While the object is awake, timers fire from the
   * runtime's timer and the alarm is written about once per `wakeMs`; when
   * the object was evicted, the alarm wakes it and fires every due timer at once.
   */
  readonly wakeMs?: number;
  /** Called when `setAlarm` fails (the next `onAlarm` or timer retries it). */
  readonly onError?: (error: unknown) => void;
  readonly runtime?: RuntimeTimers;
}

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

const systemTimers: RuntimeTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * A raft-core `Clock` for a `RaftNode` living in a Durable Object, driven by
 * the object's alarm. A Durable Object is evicted from memory when idle, and
 * an in-memory timer dies with it; an alarm is durable and wakes the object.
 * But each `setAlarm` is a storage write, too costly per Raft tick (every
 * 50-100 ms). So ticks are batched: the earliest due timer fires from the
 * runtime's timer while the object is awake, and one alarm is kept at most
 * `wakeMs` after it, rewritten only when it fired or a timer falls due
 * before it. The object's `alarm()` handler calls {@link onAlarm}, which fires
 * every due timer (a woken object restarts its node first, from storage).
 */
export class AlarmClock implements Clock {
  private readonly wakeMs: number;
  private readonly runtime: RuntimeTimers;
  private timers: Timer[] = [];
  private nextId = 1;
  private runtimeTimer: { handle: unknown; at: number } | undefined;
  /** When the alarm is set for (as far as this instance knows); undefined once it fired. */
  private alarmAt: number | undefined;
  /** How many times `setAlarm` was called: the storage writes ticks cost. */
  alarmWrites = 0;

  constructor(
    private readonly storage: AlarmStorage,
    private readonly options: AlarmClockOptions = {},
  ) {
    this.wakeMs = options.wakeMs ?? 1_000;
    this.runtime = options.runtime ?? systemTimers;
  }

  now(): number {
    return this.runtime.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.now() + Math.max(0, ms), fn };
    this.timers.push(timer);
    this.arm();
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  /** The object's `alarm()` handler: fires every due timer and sets the next alarm. */
  onAlarm(): void {
    this.alarmAt = undefined;
    this.fireDue();
    this.arm();
  }

  private fireDue(): void {
    const now = this.now();
    // Timers a fired timer sets (the next tick) wait for their own time.
    const due = this.timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.id - b.id);
    if (due.length === 0) return;
    const ids = new Set(due.map((t) => t.id));
    this.timers = this.timers.filter((t) => !ids.has(t.id));
    for (const t of due) t.fn();
  }

  private arm(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const t of this.timers) earliest = Math.min(earliest, t.at);
    if (earliest === Number.POSITIVE_INFINITY) return;
    if (!this.runtimeTimer || this.runtimeTimer.at > earliest) {
      if (this.runtimeTimer) this.runtime.clearTimeout(this.runtimeTimer.handle);
      const handle = this.runtime.setTimeout(
        () => {
          this.runtimeTimer = undefined;
          this.fireDue();
          this.arm();
        },
        Math.max(0, earliest - this.now()),
      );
      this.runtimeTimer = { handle, at: earliest };
    }
    if (this.alarmAt === undefined || this.alarmAt > earliest + this.wakeMs) {
      const at = earliest + this.wakeMs;
      this.alarmAt = at;
      this.alarmWrites++;
      this.storage.setAlarm(at).catch((error: unknown) => {
        if (this.alarmAt === at) this.alarmAt = undefined;
        this.options.onError?.(error);
      });
    }
  }
}
