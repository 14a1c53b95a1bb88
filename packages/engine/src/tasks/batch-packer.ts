/**
 * The leader's batch window: requests handed to the engine within `delayMs`
 * are packed into one `batch.create` entry, grouped by what one signature
 * check can cover (the tasks' reference block and quorum numbers), at most
 * `maxTasks` tasks per batch. A group that fills up is proposed at once; a
 * lone request waits at most the window, never longer.
 */
import type { Clock } from '@avs/raft-core';
import { EngineConfigError, EngineStateError } from '../errors.js';
import { MAX_BATCH_TASKS, type TaskCommand, type TaskMeta } from './task-command.js';
import type { ApplyOutcome } from './task-state.js';

/** How the leader packs requests into batches (engine option `batching`). */
export interface BatchingOptions {
  /** Most tasks in one batch, 1 to 256. Default 64. */
  readonly maxTasks?: number;
  /**
   * How long the first request of a batch waits for others, in ms. Default 10: the latency a
   * request pays at low traffic; under load batches fill up and leave before it.
   */
  readonly delayMs?: number;
}

/** A request to pack: what `request.create` would carry. */
export interface PackedRequest {
  readonly requestId: string;
  readonly request: unknown;
  readonly tasks: readonly TaskMeta[];
}

interface Waiting {
  readonly entry: PackedRequest;
  readonly resolve: (outcome: ApplyOutcome) => void;
  readonly reject: (error: unknown) => void;
}

interface Group {
  readonly waiting: Waiting[];
  tasks: number;
  timer: unknown;
}

/** The key of what one signature check covers: tasks with equal keys can share a batch. */
export function batchKeyOf(meta: TaskMeta): string {
  return `${meta.referenceBlock}:${meta.quorumNumbers.join(',')}`;
}

/** Packs requests into batches on the leader. */
export class BatchPacker {
  readonly maxTasks: number;
  readonly delayMs: number;
  readonly #groups = new Map<string, Group>();
  /** Request ids and task indexes waiting in a group: a duplicate would spoil the whole batch. */
  readonly #queuedRequests = new Set<string>();
  readonly #queuedTasks = new Set<number>();
  #closed = false;

  /** @throws EngineConfigError for a size or delay out of range */
  constructor(
    private readonly clock: Clock,
    options: BatchingOptions,
    private readonly propose: (command: TaskCommand) => Promise<ApplyOutcome>,
  ) {
    this.maxTasks = options.maxTasks ?? 64;
    this.delayMs = options.delayMs ?? 10;
    if (!Number.isInteger(this.maxTasks) || this.maxTasks < 1 || this.maxTasks > MAX_BATCH_TASKS) {
      throw new EngineConfigError(`batching.maxTasks must be an integer from 1 to ${MAX_BATCH_TASKS}`);
    }
    if (!Number.isFinite(this.delayMs) || this.delayMs < 0) {
      throw new EngineConfigError('batching.delayMs must be a non-negative number of ms');
    }
  }

  /** Whether a request can go into a batch: every task shares one key and it fits in one batch. */
  fits(tasks: readonly TaskMeta[]): boolean {
    const first = tasks[0];
    return (
      first !== undefined &&
      tasks.length <= this.maxTasks &&
      tasks.every((t) => batchKeyOf(t) === batchKeyOf(first))
    );
  }

  /** Whether a request id or a task index is already waiting in a batch. */
  isQueued(requestId: string, taskIndexes: readonly number[]): boolean {
    return this.#queuedRequests.has(requestId) || taskIndexes.some((i) => this.#queuedTasks.has(i));
  }

  /**
   * Queues a request; resolves with the outcome of the batch entry it went into.
   * @throws EngineStateError `CLOSED` when the packer closes first; the proposal's error otherwise
   */
  add(entry: PackedRequest): Promise<ApplyOutcome> {
    if (this.#closed) return Promise.reject(new EngineStateError('CLOSED', 'the engine is closed'));
    const key = batchKeyOf(entry.tasks[0]!);
    let group = this.#groups.get(key);
    if (group && group.tasks + entry.tasks.length > this.maxTasks) {
      this.#flush(key);
      group = undefined;
    }
    if (!group) {
      group = { waiting: [], tasks: 0, timer: undefined };
      this.#groups.set(key, group);
    }
    const outcome = new Promise<ApplyOutcome>((resolve, reject) => {
      group.waiting.push({ entry, resolve, reject });
    });
    group.tasks += entry.tasks.length;
    this.#queuedRequests.add(entry.requestId);
    for (const t of entry.tasks) this.#queuedTasks.add(t.taskIndex);
    if (group.tasks >= this.maxTasks) this.#flush(key);
    else if (group.timer === undefined) {
      group.timer = this.clock.setTimeout(() => this.#flush(key), this.delayMs);
    }
    return outcome;
  }

  /** Fails every waiting request (the engine closes, or this node stops leading). */
  close(reason: unknown = new EngineStateError('CLOSED', 'the engine is closed')): void {
    this.#closed = true;
    this.drop(reason);
  }

  /** Fails every waiting request but keeps accepting new ones. */
  drop(reason: unknown): void {
    for (const [key, group] of [...this.#groups]) {
      this.#take(key, group);
      for (const w of group.waiting) w.reject(reason);
    }
  }

  #take(key: string, group: Group): void {
    if (group.timer !== undefined) this.clock.clearTimeout(group.timer);
    this.#groups.delete(key);
    for (const w of group.waiting) {
      this.#queuedRequests.delete(w.entry.requestId);
      for (const t of w.entry.tasks) this.#queuedTasks.delete(t.taskIndex);
    }
  }

  #flush(key: string): void {
    const group = this.#groups.get(key);
    if (!group) return;
    this.#take(key, group);
    const command: TaskCommand = {
      type: 'batch.create',
      requests: group.waiting.map((w) => ({
        requestId: w.entry.requestId,
        request: w.entry.request,
        tasks: [...w.entry.tasks],
      })),
    };
    this.propose(command).then(
      (outcome) => {
        for (const w of group.waiting) w.resolve(outcome);
      },
      (error: unknown) => {
        for (const w of group.waiting) w.reject(error);
      },
    );
  }
}
