/**
 * The BLS aggregation service: eigensdk's `BlsAggregationService` behaviour,
 * without its known defects, and without a pairing per signature.
 *
 * Signatures are accepted optimistically into a per-digest aggregate. When a
 * digest's accepted stake reaches the thresholds, its whole aggregate is
 * verified with one pairing check (digests that become ready together, across
 * tasks, share one check through a random linear combination); only if that
 * fails are the bad signatures found by bisection, removed and reported.
 * @module
 */

import { systemClock } from '@avs/raft-core';
import { z } from 'zod';
import type { G1Point } from '../curve.js';
import { digestToHex } from '../digest.js';
import { toG1Point } from '../encoding.js';
import { type BlsError, InvalidEncodingError } from '../errors.js';
import type { OperatorId } from '../operator-id.js';
import { AsyncQueue } from './async-queue.js';
import { type Clock, setTimer } from './clock.js';
import {
  DuplicateSignatureError,
  EquivocationError,
  InvalidSignatureError,
  InvalidTaskError,
  OperatorNotInQuorumError,
  OperatorStateError,
  ServiceClosedError,
  TaskExistsError,
  TaskFinishedError,
  TooManyInvalidSignaturesError,
  UnknownOperatorError,
  UnknownTaskError,
} from './errors.js';
import {
  bestProgress,
  buildAggregatedResult,
  DigestAggregate,
  meetsThresholds,
  type TaskOperator,
  type TaskOperators,
  taskOperatorsFor,
} from './task.js';
import type {
  AggregationResult,
  EquivocationReport,
  InvalidSignatureReport,
  OperatorStateProvider,
  SignatureSubmission,
  TaskParams,
} from './types.js';
import { checkClaim, checkClaimsBatch, findInvalidSignatures } from './verifier.js';

/** Options of {@link BlsAggregationService}. */
export interface AggregationServiceOptions {
  /** Operator keys and stakes at a block. */
  operatorState: OperatorStateProvider;
  /** Time and timers (raft-core's `Clock`); default raft-core's `systemClock`. Inject raft-core's `ManualClock` in tests. */
  clock?: Clock;
  /**
   * Signatures per operator and task that may fail verification (or equivocate) before further
   * ones are refused unchecked. Default 3. Bounds the pairings one misbehaving operator can cost.
   */
  maxInvalidSignaturesPerOperator?: number;
  /**
   * How long an aggregate that reached its thresholds tentatively waits for others before the
   * verification check, in ms. Default: none (verified in the next microtask). A few ms under
   * load lets aggregates that arrive in separate requests share one pairing check; the delay
   * is added to the task's latency.
   */
  verificationDelayMs?: number;
  /** How many finished tasks are remembered, to tell "late" from "unknown" and to answer `resultOf`. Default 4096. */
  finishedTaskMemory?: number;
  /**
   * Called when a result/report listener throws, or when background work (verification,
   * a timer) fails unexpectedly. The service carries on either way; default: ignore.
   */
  onError?: (error: unknown) => void;
}

type Status = 'loading' | 'active' | 'window' | 'done';

interface TaskRecord {
  params: TaskParams;
  status: Status;
  loaded: Promise<void>;
  ops: TaskOperators | undefined;
  digests: Map<`0x${string}`, DigestAggregate>;
  /** Where each signer's accepted signature lives. */
  bySigner: Map<OperatorId, DigestAggregate>;
  invalidCounts: Map<OperatorId, number>;
  cancelExpiry: (() => void) | undefined;
  cancelWindow: (() => void) | undefined;
  windowDigest: DigestAggregate | undefined;
  result: Deferred<AggregationResult>;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // nobody may be waiting; never an unhandled rejection
  return { promise, resolve, reject };
}

const uint = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1);
const taskParamsSchema = z
  .object({
    taskIndex: uint,
    referenceBlock: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    quorumNumbers: z.array(z.number().int().min(0).max(255)).min(1).max(256),
    thresholdPercentages: z.array(z.number().int().min(0).max(100)),
    expiry: z
      .object({
        afterMs: z.number().int().positive().optional(),
        atBlock: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      })
      .refine(
        (e) => e.afterMs !== undefined || e.atBlock !== undefined,
        'set expiry.afterMs, expiry.atBlock or both',
      ),
    windowMs: z.number().int().min(0).optional(),
  })
  .refine((p) => p.thresholdPercentages.length === p.quorumNumbers.length, {
    message: 'thresholdPercentages must have one entry per quorum number',
  })
  .refine((p) => new Set(p.quorumNumbers).size === p.quorumNumbers.length, {
    message: 'quorumNumbers must be distinct',
  });

const OPERATOR_ID = /^0x[0-9a-fA-F]{64}$/;

/**
 * Aggregates BLS signatures per task until the stake thresholds are met, and
 * delivers exactly one terminal result per task. See the package README for the rules.
 */
export class BlsAggregationService {
  readonly #provider: OperatorStateProvider;
  readonly #clock: Clock;
  readonly #maxInvalid: number;
  readonly #memory: number;
  readonly #verifyDelayMs: number | undefined;
  readonly #onError: ((e: unknown) => void) | undefined;
  readonly #tasks = new Map<number, TaskRecord>();
  readonly #finished = new Map<number, AggregationResult>();
  readonly #resultListeners = new Set<(r: AggregationResult) => void>();
  readonly #equivocationListeners = new Set<(r: EquivocationReport) => void>();
  readonly #invalidListeners = new Set<(r: InvalidSignatureReport) => void>();
  readonly #iterators = new Set<AsyncQueue<AggregationResult>>();
  #queue: { task: TaskRecord; agg: DigestAggregate }[] = [];
  #flushScheduled = false;
  #cancelFlush: (() => void) | undefined;
  #latestBlock = -1;
  #closed = false;

  constructor(options: AggregationServiceOptions) {
    this.#provider = options.operatorState;
    this.#clock = options.clock ?? systemClock;
    this.#maxInvalid = options.maxInvalidSignaturesPerOperator ?? 3;
    this.#memory = options.finishedTaskMemory ?? 4096;
    const delay = options.verificationDelayMs;
    if (delay !== undefined && !(Number.isFinite(delay) && delay >= 0)) {
      throw new RangeError(`verificationDelayMs: expected a number >= 0, got ${delay}`);
    }
    this.#verifyDelayMs = delay;
    this.#onError = options.onError;
  }

  /**
   * Starts aggregating a task. Resolves once the operator state at the reference
   * block is loaded (signatures sent meanwhile wait for it, they are not refused).
   * @throws InvalidTaskError for malformed parameters; TaskExistsError if the index is in use
   *   or recently finished; OperatorStateError if the provider fails (the task is then dropped).
   */
  async initializeTask(params: TaskParams): Promise<void> {
    if (this.#closed) throw new ServiceClosedError();
    const parsed = taskParamsSchema.safeParse(params);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidTaskError(`task parameters: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {
        cause: parsed.error,
      });
    }
    const p: TaskParams = {
      ...params,
      quorumNumbers: [...params.quorumNumbers],
      thresholdPercentages: [...params.thresholdPercentages],
    };
    if (this.#tasks.has(p.taskIndex) || this.#finished.has(p.taskIndex))
      throw new TaskExistsError(p.taskIndex);
    let markLoaded!: () => void;
    const task: TaskRecord = {
      params: p,
      status: 'loading',
      loaded: new Promise<void>((r) => {
        markLoaded = r;
      }),
      ops: undefined,
      digests: new Map(),
      bySigner: new Map(),
      invalidCounts: new Map(),
      cancelExpiry: undefined,
      cancelWindow: undefined,
      windowDigest: undefined,
      result: deferred(),
    };
    this.#tasks.set(p.taskIndex, task);
    if (p.expiry.afterMs !== undefined) {
      task.cancelExpiry = setTimer(this.#clock, p.expiry.afterMs, () =>
        this.#guard(() => this.#expire(task, 'time')),
      );
    }
    try {
      const state = await this.#provider.getOperatorState(p.referenceBlock, p.quorumNumbers);
      if (task.status === 'loading') {
        task.ops = taskOperatorsFor(p.quorumNumbers, state);
        task.status = 'active';
      }
    } catch (cause) {
      const error =
        cause instanceof OperatorStateError
          ? cause
          : new OperatorStateError(
              `operator state for task ${p.taskIndex} at block ${p.referenceBlock}: ${cause instanceof Error ? cause.message : String(cause)}`,
              { cause },
            );
      if (task.status === 'loading') {
        task.status = 'done';
        task.cancelExpiry?.();
        this.#tasks.delete(p.taskIndex);
        task.result.reject(error);
      }
      markLoaded();
      throw error;
    }
    markLoaded();
    if (task.status === 'active' && p.expiry.atBlock !== undefined && this.#latestBlock >= p.expiry.atBlock) {
      this.#expire(task, 'block');
    }
  }

  /**
   * Offers one operator's signature. Resolves when the signature is accepted into its
   * digest's aggregate (verification may come later, in bulk; a signature that then fails
   * is dropped and reported through {@link onInvalidSignature}).
   * Rejects at once, and only for this signature, with a typed error: UnknownTaskError,
   * TaskFinishedError (late), InvalidEncodingError / InvalidPointError (malformed),
   * UnknownOperatorError, OperatorNotInQuorumError, DuplicateSignatureError,
   * EquivocationError, InvalidSignatureError (when it had to be checked alone),
   * TooManyInvalidSignaturesError, ServiceClosedError.
   */
  async processSignature(submission: SignatureSubmission): Promise<void> {
    if (this.#closed) throw new ServiceClosedError();
    const { taskIndex } = submission;
    let task = this.#tasks.get(taskIndex);
    if (task === undefined) throw this.#missingTaskError(taskIndex);
    if (task.status === 'done') throw new TaskFinishedError(taskIndex, 'finished');
    const digest = digestToHex(submission.digest);
    const signature = toG1Point(submission.signature);
    if (typeof submission.operatorId !== 'string' || !OPERATOR_ID.test(submission.operatorId)) {
      throw new InvalidEncodingError('operatorId: expected 0x followed by 64 hex digits');
    }
    const id = submission.operatorId.toLowerCase() as OperatorId;
    if (task.status === 'loading') {
      await task.loaded;
      task = this.#tasks.get(taskIndex);
      if (task === undefined) throw this.#missingTaskError(taskIndex);
    }
    if (task.status === 'done' || task.ops === undefined) throw new TaskFinishedError(taskIndex, 'finished');
    const op = task.ops.byId.get(id);
    if (op === undefined) throw new UnknownOperatorError(taskIndex, id);
    if (op.multiplicity === 0) throw new OperatorNotInQuorumError(taskIndex, id);
    if ((task.invalidCounts.get(id) ?? 0) >= this.#maxInvalid)
      throw new TooManyInvalidSignaturesError(taskIndex, id);
    this.#accept(task, op, digest, signature);
  }

  /**
   * Reports the chain's latest block. Tasks whose `expiry.atBlock` is at or below it expire.
   * @param blockNumber - a block number; lower numbers than already seen are ignored.
   */
  observeBlock(blockNumber: number): void {
    if (!Number.isSafeInteger(blockNumber) || blockNumber <= this.#latestBlock) return;
    this.#latestBlock = blockNumber;
    for (const task of [...this.#tasks.values()]) {
      const at = task.params.expiry.atBlock;
      if (at !== undefined && blockNumber >= at && task.status !== 'loading') this.#expire(task, 'block');
    }
  }

  /**
   * The terminal result of a task: resolves when it is delivered (at once for a
   * remembered finished task). Rejects with UnknownTaskError for an unknown task, or
   * with the OperatorStateError that made its initialisation fail.
   */
  resultOf(taskIndex: number): Promise<AggregationResult> {
    const done = this.#finished.get(taskIndex);
    if (done !== undefined) return Promise.resolve(done);
    const task = this.#tasks.get(taskIndex);
    if (task === undefined) return Promise.reject(new UnknownTaskError(taskIndex));
    return task.result.promise;
  }

  /**
   * Results delivered from now on, in order, until {@link close}. Create the
   * iterator before initialising the tasks you want to see.
   */
  results(): AsyncIterableIterator<AggregationResult> {
    const q: AsyncQueue<AggregationResult> = new AsyncQueue(() => this.#iterators.delete(q));
    if (this.#closed) q.end();
    else this.#iterators.add(q);
    return q;
  }

  /** Calls `listener` with every terminal result. @returns an unsubscribe function. */
  onResult(listener: (result: AggregationResult) => void): () => void {
    this.#resultListeners.add(listener);
    return () => this.#resultListeners.delete(listener);
  }

  /** Calls `listener` when an operator signs two different digests for one task (both valid). */
  onEquivocation(listener: (report: EquivocationReport) => void): () => void {
    this.#equivocationListeners.add(listener);
    return () => this.#equivocationListeners.delete(listener);
  }

  /** Calls `listener` for each optimistically accepted signature that failed verification. */
  onInvalidSignature(listener: (report: InvalidSignatureReport) => void): () => void {
    this.#invalidListeners.add(listener);
    return () => this.#invalidListeners.delete(listener);
  }

  /** Tasks not yet finished. */
  get activeTaskCount(): number {
    return this.#tasks.size;
  }

  /**
   * Stops the service: each unfinished task gets its terminal result now (aggregated if it
   * already met its thresholds, otherwise expired with reason `closed`); iterators end.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelFlush?.();
    this.#cancelFlush = undefined;
    for (const task of [...this.#tasks.values()]) this.#expire(task, 'closed');
    for (const q of this.#iterators) q.end();
    this.#iterators.clear();
  }

  #missingTaskError(taskIndex: number): BlsError {
    const done = this.#finished.get(taskIndex);
    return done ? new TaskFinishedError(taskIndex, done.status) : new UnknownTaskError(taskIndex);
  }

  #accept(task: TaskRecord, op: TaskOperator, digest: `0x${string}`, signature: G1Point): void {
    const ops = task.ops as TaskOperators;
    let agg = task.digests.get(digest);
    const existing = task.bySigner.get(op.id);
    if (existing !== undefined) {
      const held = existing.verified.get(op.id) ?? existing.pending.get(op.id);
      const isPending = existing.pending.has(op.id);
      if (existing.digest === digest) {
        // BLS signatures are unique: a second, different signature can only be right if the first was wrong.
        if (held === undefined || !isPending || held.signature.equals(signature)) {
          throw new DuplicateSignatureError(task.params.taskIndex, op.id);
        }
        if (!this.#checkAlone(task, op, existing, signature))
          throw new InvalidSignatureError(task.params.taskIndex, op.id);
        existing.removePending(op.id);
        this.#reportInvalid(task, op.id, existing.digest);
        existing.addVerified({ operator: op, signature });
        this.#evaluate(task, existing);
        return;
      }
      // A different digest: equivocation if both signatures are valid. Checked one by one (rare path).
      const created = agg === undefined;
      agg ??= this.#newDigest(task, digest, ops);
      // Digests opened only for a refused signature are dropped, so refusals leave nothing behind.
      const dropIfUnused = (a: DigestAggregate) => {
        if (created && a.signerCount === 0) task.digests.delete(a.digest);
      };
      if (!this.#checkAlone(task, op, agg, signature)) {
        dropIfUnused(agg);
        throw new InvalidSignatureError(task.params.taskIndex, op.id);
      }
      const firstValid =
        !isPending ||
        (held !== undefined &&
          checkClaim({ h: existing.h, signature: held.signature, apkG2: op.info.publicKeyG2 }));
      if (firstValid && held !== undefined) {
        dropIfUnused(agg);
        // Each equivocation costs pairings: it counts towards the operator's refusal limit too.
        task.invalidCounts.set(op.id, (task.invalidCounts.get(op.id) ?? 0) + 1);
        this.#emit(this.#equivocationListeners, {
          taskIndex: task.params.taskIndex,
          operatorId: op.id,
          first: { digest: existing.digest, signature: held.signature },
          second: { digest, signature },
        });
        throw new EquivocationError(task.params.taskIndex, op.id);
      }
      existing.removePending(op.id);
      this.#reportInvalid(task, op.id, existing.digest);
      task.bySigner.set(op.id, agg);
      agg.addVerified({ operator: op, signature });
      this.#evaluate(task, agg);
      return;
    }
    agg ??= this.#newDigest(task, digest, ops);
    agg.addPending({ operator: op, signature });
    task.bySigner.set(op.id, agg);
    this.#evaluate(task, agg);
  }

  #newDigest(task: TaskRecord, digest: `0x${string}`, ops: TaskOperators): DigestAggregate {
    const agg = new DigestAggregate(digest, ops);
    task.digests.set(digest, agg);
    return agg;
  }

  /** One signature on its own; a failure counts against the operator. */
  #checkAlone(task: TaskRecord, op: TaskOperator, agg: DigestAggregate, signature: G1Point): boolean {
    const ok = checkClaim({ h: agg.h, signature, apkG2: op.info.publicKeyG2 });
    if (!ok) task.invalidCounts.set(op.id, (task.invalidCounts.get(op.id) ?? 0) + 1);
    return ok;
  }

  /** Decides what a change to `agg` means: threshold met, verification needed, or early window close. */
  #evaluate(task: TaskRecord, agg: DigestAggregate): void {
    const ops = task.ops as TaskOperators;
    const pcts = task.params.thresholdPercentages;
    if (task.status === 'window') {
      if (agg === task.windowDigest && agg.signerCount >= ops.memberCount) this.#closeWindow(task);
      return;
    }
    if (task.status !== 'active') return;
    if (meetsThresholds(agg.verifiedStake, ops.totals, pcts) && agg.pending.size === 0) {
      this.#thresholdReached(task, agg);
      return;
    }
    const tentative = agg.verifiedStake.map((v, i) => v + (agg.pendingStake[i] as bigint));
    if (agg.pending.size > 0 && meetsThresholds(tentative, ops.totals, pcts) && !agg.queued) {
      agg.queued = true;
      this.#queue.push({ task, agg });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        if (this.#verifyDelayMs === undefined) queueMicrotask(() => this.#guard(() => this.#flush()));
        else
          this.#cancelFlush = setTimer(this.#clock, this.#verifyDelayMs, () =>
            this.#guard(() => this.#flush()),
          );
      }
    }
  }

  /** Verifies every queued aggregate: one combined check, then per aggregate, then bisection. */
  #flush(): void {
    this.#flushScheduled = false;
    this.#cancelFlush = undefined;
    const items = this.#queue.filter(({ task, agg }) => {
      agg.queued = false;
      return task.status === 'active' && agg.pending.size > 0;
    });
    this.#queue = [];
    this.#verify(items);
    for (const { task, agg } of items) this.#evaluate(task, agg);
  }

  #verify(items: readonly { task: TaskRecord; agg: DigestAggregate }[]): void {
    if (items.length === 0) return;
    const claims = items.map(({ agg }) => agg.claim());
    if (items.length > 1 && checkClaimsBatch(claims)) {
      for (const { agg } of items) agg.commitPending();
      return;
    }
    items.forEach(({ task, agg }, i) => {
      if (items.length === 1 ? !checkClaim(claims[0]!) : !checkClaim(claims[i]!)) {
        const entries = [...agg.pending.values()];
        const bad = findInvalidSignatures(
          agg.h,
          entries.map((e) => ({ signature: e.signature, publicKeyG2: e.operator.info.publicKeyG2 })),
        );
        for (const b of bad) {
          const id = entries[b]!.operator.id;
          agg.removePending(id);
          task.bySigner.delete(id);
          task.invalidCounts.set(id, (task.invalidCounts.get(id) ?? 0) + 1);
          this.#reportInvalid(task, id, agg.digest);
        }
      }
      agg.commitPending();
    });
  }

  #reportInvalid(task: TaskRecord, operatorId: OperatorId, digest: `0x${string}`): void {
    this.#emit(this.#invalidListeners, { taskIndex: task.params.taskIndex, operatorId, digest });
  }

  #thresholdReached(task: TaskRecord, agg: DigestAggregate): void {
    const ops = task.ops as TaskOperators;
    const windowMs = task.params.windowMs ?? 0;
    if (windowMs > 0 && agg.signerCount < ops.memberCount) {
      task.status = 'window';
      task.windowDigest = agg;
      task.cancelWindow = setTimer(this.#clock, windowMs, () => this.#guard(() => this.#closeWindow(task)));
      return;
    }
    this.#finish(task, buildAggregatedResult(task.params, ops, agg));
  }

  #closeWindow(task: TaskRecord): void {
    const agg = task.windowDigest;
    if (task.status !== 'window' || agg === undefined) return;
    if (agg.pending.size > 0) this.#verify([{ task, agg }]);
    this.#finish(task, buildAggregatedResult(task.params, task.ops as TaskOperators, agg));
  }

  #expire(task: TaskRecord, reason: 'time' | 'block' | 'closed'): void {
    if (task.status === 'done') return;
    if (task.status === 'window') {
      this.#closeWindow(task);
      return;
    }
    const ops = task.ops;
    if (task.status === 'active' && ops !== undefined) {
      // Aggregates waiting for the verification microtask are checked now, so a met threshold is not lost.
      const waiting = [...task.digests.values()].filter((a) => a.queued && a.pending.size > 0);
      this.#verify(waiting.map((agg) => ({ task, agg })));
      for (const agg of task.digests.values()) {
        if (
          agg.pending.size === 0 &&
          meetsThresholds(agg.verifiedStake, ops.totals, task.params.thresholdPercentages)
        ) {
          this.#finish(task, buildAggregatedResult(task.params, ops, agg));
          return;
        }
      }
    }
    this.#finish(task, {
      status: 'expired',
      taskIndex: task.params.taskIndex,
      referenceBlock: task.params.referenceBlock,
      quorumNumbers: [...task.params.quorumNumbers],
      reason,
      best: bestProgress(ops, task.digests.values()),
    });
  }

  #finish(task: TaskRecord, result: AggregationResult): void {
    if (task.status === 'done') return;
    task.status = 'done';
    task.cancelExpiry?.();
    task.cancelWindow?.();
    this.#tasks.delete(task.params.taskIndex);
    this.#finished.set(task.params.taskIndex, result);
    if (this.#finished.size > this.#memory) {
      const oldest = this.#finished.keys().next().value;
      if (oldest !== undefined) this.#finished.delete(oldest);
    }
    task.result.resolve(result);
    for (const q of this.#iterators) q.push(result);
    this.#emit(this.#resultListeners, result);
  }

  /** Background work must never throw into the runtime (an uncaught error would stop the process). */
  #guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.#onError?.(error);
    }
  }

  #emit<T>(listeners: Set<(v: T) => void>, value: T): void {
    for (const l of listeners) {
      try {
        l(value);
      } catch (error) {
        this.#onError?.(error);
      }
    }
  }
}
