/**
 * The replicated task state: every request and every on-chain task it
 * answers, with its status, the aggregate that reached the threshold and the
 * on-chain transaction. Every node applies the same log, so a new leader knows
 * every task in flight and resumes it.
 *
 * `apply` only changes state: it never calls the application, the network or
 * the chain. What the node must do next (answer a request, aggregate, submit)
 * is queued as {@link TaskEvent}s for the engine's workers to drain.
 */
import type { Entry, StateMachine } from '@avs/raft-core';
import { DecodeError } from '../errors.js';
import {
  type AggregateProof,
  decodeTaskCommand,
  type MemberInfo,
  type TaskCommand,
  type TaskMeta,
} from './task-command.js';

/** Where an on-chain task stands. `expired`, `failed` and `submitted` are final. */
export type TaskStatus = 'pending' | 'aggregated' | 'submitted' | 'expired' | 'failed';

/** A task request as replicated. */
export interface RequestRecord {
  readonly requestId: string;
  readonly request: unknown;
  readonly taskIndexes: readonly number[];
  /** Raft index of the entry that created it. */
  readonly logIndex: number;
  /** The batch it was packed into, if any. */
  readonly batchId?: number;
}

/**
 * Requests the leader packed into one batch: operators sign the batch digest
 * once. `taskIndexes` is the leaf order.
 */
export interface BatchRecord {
  /** The Raft index of the `batch.create` entry. */
  readonly batchId: number;
  readonly requestIds: readonly string[];
  readonly taskIndexes: readonly number[];
  /** Set once the batch is aggregated: the signed batch digest, the Merkle root and its leaves. */
  readonly aggregate?: { readonly digest: string; readonly root: string; readonly leaves: readonly string[] };
}

/** The aggregate that reached the threshold for a task. */
export interface TaskAggregate {
  readonly digest: string;
  readonly response: unknown;
  readonly signers: readonly string[];
  readonly signedStake: readonly string[];
  /** What the on-chain check needs; lets a new leader submit without re-collecting. */
  readonly proof?: AggregateProof;
  /** When the leader had the aggregate (its wall clock, ms); absent in entries written before it was added. */
  readonly aggregatedAtMs?: number;
}

/** An on-chain task as replicated. */
export interface TaskRecord {
  readonly taskIndex: number;
  readonly requestId: string;
  readonly meta: TaskMeta;
  readonly status: TaskStatus;
  /** The batch the task was answered in, if any. */
  readonly batchId?: number;
  readonly aggregate?: TaskAggregate;
  readonly submission?: { readonly txHash: string; readonly blockNumber?: number };
  /** Why a task expired or failed. */
  readonly reason?: string;
}

/** Work the engine does after an apply; never done inside it. */
export type TaskEvent =
  | { readonly type: 'request-created'; readonly request: RequestRecord }
  | { readonly type: 'batch-created'; readonly batch: BatchRecord }
  | { readonly type: 'task-updated'; readonly task: TaskRecord }
  | { readonly type: 'member-updated'; readonly member: MemberInfo }
  | { readonly type: 'member-removed'; readonly id: string; readonly reason: string };

/** The outcome of one applied entry, handed back to whoever proposed it. */
export type ApplyOutcome =
  | { readonly ok: true; readonly command: TaskCommand['type'] }
  | {
      readonly ok: false;
      readonly code: 'DECODE_ERROR' | 'DUPLICATE' | 'UNKNOWN_TASK' | 'BAD_TRANSITION';
      readonly message: string;
    };

/** An entry that was skipped because it could not be decoded. */
export interface SkippedEntry {
  readonly index: number;
  readonly reason: string;
}

/** Limits that keep the replicated state bounded. */
export interface TaskStateOptions {
  /** Final tasks kept for queries; the oldest are dropped first. Default 10 000. */
  readonly maxFinishedTasks?: number;
  /** Skipped entries remembered for `status()`. Default 100. */
  readonly maxSkippedKept?: number;
  /** Join nonces remembered against replay; the oldest are dropped first. Default 10 000. */
  readonly maxJoinNonces?: number;
}

const FINAL: ReadonlySet<TaskStatus> = new Set(['submitted', 'expired', 'failed']);

type TransitionCommand = Extract<
  TaskCommand,
  { type: 'task.aggregated' | 'task.submitted' | 'task.expired' | 'task.failed' }
>;
type BatchCommand = Extract<TaskCommand, { type: 'batch.aggregated' | 'batch.submitted' | 'batch.closed' }>;

const ALLOWED: Record<TransitionCommand['type'], ReadonlySet<TaskStatus>> = {
  'task.aggregated': new Set(['pending']),
  'task.submitted': new Set(['aggregated']),
  'task.expired': new Set(['pending']),
  'task.failed': new Set(['pending', 'aggregated']),
};

const NEXT_STATUS = {
  'task.aggregated': 'aggregated',
  'task.submitted': 'submitted',
  'task.expired': 'expired',
  'task.failed': 'failed',
} as const satisfies Record<keyof typeof ALLOWED, TaskStatus>;

interface SnapshotV1 {
  v: 1;
  requests: RequestRecord[];
  tasks: TaskRecord[];
  finishedOrder: number[];
  skipped: SkippedEntry[];
  skippedTotal: number;
  /** Added later: absent in older snapshots. */
  members?: MemberInfo[];
  joinNonces?: string[];
  batches?: BatchRecord[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The engine's replicated state machine. */
export class TaskStateMachine implements StateMachine<ApplyOutcome> {
  readonly #requests = new Map<string, RequestRecord>();
  readonly #tasks = new Map<number, TaskRecord>();
  /** Final task indexes, oldest first, for pruning. */
  #finishedOrder: number[] = [];
  #skipped: SkippedEntry[] = [];
  #skippedTotal = 0;
  #events: TaskEvent[] = [];
  readonly #members = new Map<string, MemberInfo>();
  readonly #batches = new Map<number, BatchRecord>();
  /** Used join nonces, oldest first (a Set keeps insertion order). */
  readonly #joinNonces = new Set<string>();
  readonly #maxFinished: number;
  readonly #maxSkipped: number;
  readonly #maxJoinNonces: number;

  constructor(options: TaskStateOptions = {}) {
    this.#maxFinished = options.maxFinishedTasks ?? 10_000;
    this.#maxSkipped = options.maxSkippedKept ?? 100;
    this.#maxJoinNonces = options.maxJoinNonces ?? 10_000;
  }

  /** Metadata of a member (by lowercase address), as replicated. */
  member(id: string): MemberInfo | undefined {
    return this.#members.get(id);
  }

  /** Every member with replicated metadata. */
  members(): MemberInfo[] {
    return [...this.#members.values()];
  }

  /** Whether a join request nonce has already admitted a member. */
  joinNonceUsed(nonce: string): boolean {
    return this.#joinNonces.has(nonce.toLowerCase());
  }

  apply(entries: readonly Entry[]): ApplyOutcome[] {
    return entries.map((entry) => this.#applyOne(entry));
  }

  /** Takes the events queued by `apply` since the last call. */
  drainEvents(): TaskEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  task(taskIndex: number): TaskRecord | undefined {
    return this.#tasks.get(taskIndex);
  }

  request(requestId: string): RequestRecord | undefined {
    return this.#requests.get(requestId);
  }

  /** A batch, while any of its tasks is kept. */
  batch(batchId: number): BatchRecord | undefined {
    return this.#batches.get(batchId);
  }

  /** Tasks not yet final: what a new leader must finish. */
  inFlight(): TaskRecord[] {
    return [...this.#tasks.values()].filter((t) => !FINAL.has(t.status));
  }

  tasks(): TaskRecord[] {
    return [...this.#tasks.values()];
  }

  /** Entries skipped because they could not be decoded: total and the most recent ones. */
  skipped(): { total: number; recent: readonly SkippedEntry[] } {
    return { total: this.#skippedTotal, recent: this.#skipped };
  }

  snapshot(): Uint8Array {
    const snap: SnapshotV1 = {
      v: 1,
      requests: [...this.#requests.values()],
      tasks: [...this.#tasks.values()],
      finishedOrder: this.#finishedOrder,
      skipped: this.#skipped,
      skippedTotal: this.#skippedTotal,
      members: [...this.#members.values()],
      joinNonces: [...this.#joinNonces],
      batches: [...this.#batches.values()],
    };
    return encoder.encode(JSON.stringify(snap));
  }

  restore(data: Uint8Array): void {
    let snap: SnapshotV1;
    try {
      snap = JSON.parse(decoder.decode(data)) as SnapshotV1;
    } catch (cause) {
      throw new DecodeError('task state snapshot', 'not JSON', { cause });
    }
    if (snap?.v !== 1 || !Array.isArray(snap.requests) || !Array.isArray(snap.tasks)) {
      throw new DecodeError('task state snapshot', 'expected a version-1 snapshot');
    }
    this.#requests.clear();
    this.#tasks.clear();
    for (const r of snap.requests) this.#requests.set(r.requestId, r);
    for (const t of snap.tasks) this.#tasks.set(t.taskIndex, t);
    this.#finishedOrder = [...snap.finishedOrder];
    this.#skipped = [...snap.skipped];
    this.#skippedTotal = snap.skippedTotal;
    this.#members.clear();
    for (const m of snap.members ?? []) this.#members.set(m.id, m);
    this.#joinNonces.clear();
    for (const n of snap.joinNonces ?? []) this.#joinNonces.add(n);
    this.#batches.clear();
    for (const b of snap.batches ?? []) this.#batches.set(b.batchId, b);
    this.#events = [];
  }

  #applyOne(entry: Entry): ApplyOutcome {
    let cmd: TaskCommand;
    try {
      cmd = decodeTaskCommand(entry.data);
    } catch (error) {
      // A bad entry is replayed on every restart: crashing here would crash every node forever.
      const reason = error instanceof Error ? error.message : String(error);
      this.#skippedTotal += 1;
      this.#skipped.push({ index: entry.index, reason });
      if (this.#skipped.length > this.#maxSkipped) this.#skipped.shift();
      return { ok: false, code: 'DECODE_ERROR', message: reason };
    }
    if (cmd.type === 'request.create') return this.#createRequest(cmd, entry.index);
    if (cmd.type === 'batch.create') return this.#createBatch(cmd, entry.index);
    if (cmd.type === 'batch.aggregated' || cmd.type === 'batch.submitted' || cmd.type === 'batch.closed')
      return this.#batchTransition(cmd);
    if (cmd.type === 'member.upsert') return this.#upsertMember(cmd);
    if (cmd.type === 'member.remove') return this.#removeMember(cmd);
    return this.#transition(cmd);
  }

  #upsertMember(cmd: Extract<TaskCommand, { type: 'member.upsert' }>): ApplyOutcome {
    if (cmd.joinNonce !== undefined) {
      const nonce = cmd.joinNonce.toLowerCase();
      if (this.#joinNonces.has(nonce)) {
        return { ok: false, code: 'DUPLICATE', message: `join nonce ${nonce} was already used` };
      }
      this.#joinNonces.add(nonce);
      if (this.#joinNonces.size > this.#maxJoinNonces) {
        const oldest = this.#joinNonces.values().next().value;
        if (oldest !== undefined) this.#joinNonces.delete(oldest);
      }
    }
    this.#members.set(cmd.member.id, cmd.member);
    this.#events.push({ type: 'member-updated', member: cmd.member });
    return { ok: true, command: cmd.type };
  }

  #removeMember(cmd: Extract<TaskCommand, { type: 'member.remove' }>): ApplyOutcome {
    this.#members.delete(cmd.id);
    this.#events.push({ type: 'member-removed', id: cmd.id, reason: cmd.reason });
    return { ok: true, command: cmd.type };
  }

  #createRequest(cmd: Extract<TaskCommand, { type: 'request.create' }>, logIndex: number): ApplyOutcome {
    const refused = this.#refuseRequests([cmd]);
    if (refused) return refused;
    const request = this.#addRequest(cmd, logIndex, undefined);
    this.#events.push({ type: 'request-created', request });
    return { ok: true, command: cmd.type };
  }

  /** Why these requests cannot be created (a request id or task index already used, or used twice). */
  #refuseRequests(
    requests: readonly { requestId: string; tasks: readonly TaskMeta[] }[],
  ): ApplyOutcome | undefined {
    const ids = new Set<string>();
    const indexes = new Set<number>();
    for (const r of requests) {
      if (this.#requests.has(r.requestId) || ids.has(r.requestId)) {
        return { ok: false, code: 'DUPLICATE', message: `request ${r.requestId} already exists` };
      }
      ids.add(r.requestId);
      for (const t of r.tasks) {
        if (this.#tasks.has(t.taskIndex)) {
          return {
            ok: false,
            code: 'DUPLICATE',
            message: `task ${t.taskIndex} already belongs to a request`,
          };
        }
        if (indexes.has(t.taskIndex)) {
          return {
            ok: false,
            code: 'DUPLICATE',
            message: `request ${r.requestId} names task ${t.taskIndex} twice`,
          };
        }
        indexes.add(t.taskIndex);
      }
    }
    return undefined;
  }

  #addRequest(
    cmd: { requestId: string; request?: unknown; tasks: readonly TaskMeta[] },
    logIndex: number,
    batchId: number | undefined,
  ): RequestRecord {
    const batch = batchId === undefined ? {} : { batchId };
    const request: RequestRecord = {
      requestId: cmd.requestId,
      request: cmd.request,
      taskIndexes: cmd.tasks.map((t) => t.taskIndex),
      logIndex,
      ...batch,
    };
    this.#requests.set(request.requestId, request);
    for (const meta of cmd.tasks) {
      this.#tasks.set(meta.taskIndex, {
        taskIndex: meta.taskIndex,
        requestId: cmd.requestId,
        meta,
        status: 'pending',
        ...batch,
      });
    }
    return request;
  }

  #createBatch(cmd: Extract<TaskCommand, { type: 'batch.create' }>, logIndex: number): ApplyOutcome {
    const refused = this.#refuseRequests(cmd.requests);
    if (refused) return refused;
    const first = cmd.requests[0]!.tasks[0]!;
    const key = (m: TaskMeta) => `${m.referenceBlock}:${m.quorumNumbers.join(',')}`;
    const odd = cmd.requests.flatMap((r) => r.tasks).find((m) => key(m) !== key(first));
    if (odd) {
      return {
        ok: false,
        code: 'BAD_TRANSITION',
        message: `task ${odd.taskIndex} does not share the batch's reference block and quorums`,
      };
    }
    const batch: BatchRecord = {
      batchId: logIndex,
      requestIds: cmd.requests.map((r) => r.requestId),
      taskIndexes: cmd.requests.flatMap((r) => r.tasks.map((t) => t.taskIndex)),
    };
    for (const r of cmd.requests) this.#addRequest(r, logIndex, logIndex);
    this.#batches.set(batch.batchId, batch);
    this.#events.push({ type: 'batch-created', batch });
    return { ok: true, command: cmd.type };
  }

  /**
   * A batch command moves every task of the batch at once; each task follows
   * the same rules as its own command would (`ALLOWED`). `batch.aggregated`
   * needs every task pending: one signature covers them all.
   */
  #batchTransition(cmd: BatchCommand): ApplyOutcome {
    const batch = this.#batches.get(cmd.batchId);
    if (!batch) return { ok: false, code: 'UNKNOWN_TASK', message: `batch ${cmd.batchId} is not known` };
    const tasks = batch.taskIndexes.map((i) => this.#tasks.get(i));
    const bad = (message: string): ApplyOutcome => ({ ok: false, code: 'BAD_TRANSITION', message });
    if (cmd.type === 'batch.aggregated') {
      if (tasks.some((t) => t?.status !== 'pending')) return bad(`batch ${cmd.batchId} is not pending`);
      if (cmd.leaves.length !== tasks.length || cmd.responses.length !== tasks.length) {
        return bad(`batch ${cmd.batchId} has ${tasks.length} tasks, the aggregate ${cmd.leaves.length}`);
      }
      this.#batches.set(batch.batchId, {
        ...batch,
        aggregate: { digest: cmd.digest, root: cmd.root, leaves: cmd.leaves },
      });
      tasks.forEach((t, i) => {
        this.#transition({
          type: 'task.aggregated',
          taskIndex: t!.taskIndex,
          digest: cmd.leaves[i]!,
          response: cmd.responses[i],
          signers: cmd.signers,
          signedStake: cmd.signedStake,
          proof: cmd.proof,
          aggregatedAtMs: cmd.aggregatedAtMs,
        });
      });
      return { ok: true, command: cmd.type };
    }
    let moved = 0;
    for (const t of tasks) {
      if (t === undefined) continue;
      const sub: TransitionCommand =
        cmd.type === 'batch.submitted'
          ? {
              type: 'task.submitted',
              taskIndex: t.taskIndex,
              txHash: cmd.txHash,
              ...(cmd.blockNumber === undefined ? {} : { blockNumber: cmd.blockNumber }),
            }
          : { type: `task.${cmd.status}`, taskIndex: t.taskIndex, reason: cmd.reason };
      if (!ALLOWED[sub.type].has(t.status)) continue;
      this.#transition(sub);
      moved++;
    }
    return moved > 0 ? { ok: true, command: cmd.type } : bad(`batch ${cmd.batchId}: no task could move`);
  }

  #transition(cmd: TransitionCommand): ApplyOutcome {
    const task = this.#tasks.get(cmd.taskIndex);
    if (!task) return { ok: false, code: 'UNKNOWN_TASK', message: `task ${cmd.taskIndex} is not known` };
    if (!ALLOWED[cmd.type].has(task.status)) {
      // The first final word wins; a late duplicate (e.g. from a deposed leader) changes nothing.
      return {
        ok: false,
        code: 'BAD_TRANSITION',
        message: `task ${cmd.taskIndex} is ${task.status}; ${cmd.type} is not allowed`,
      };
    }
    let next: TaskRecord = { ...task, status: NEXT_STATUS[cmd.type] };
    switch (cmd.type) {
      case 'task.aggregated':
        next = {
          ...next,
          aggregate: {
            digest: cmd.digest,
            response: cmd.response,
            signers: cmd.signers,
            signedStake: cmd.signedStake,
            ...(cmd.proof === undefined ? {} : { proof: cmd.proof }),
            ...(cmd.aggregatedAtMs === undefined ? {} : { aggregatedAtMs: cmd.aggregatedAtMs }),
          },
        };
        break;
      case 'task.submitted':
        next = {
          ...next,
          submission:
            cmd.blockNumber === undefined
              ? { txHash: cmd.txHash }
              : { txHash: cmd.txHash, blockNumber: cmd.blockNumber },
        };
        break;
      case 'task.expired':
      case 'task.failed':
        next = { ...next, reason: cmd.reason };
        break;
    }
    this.#tasks.set(cmd.taskIndex, next);
    if (FINAL.has(next.status)) this.#finished(next.taskIndex);
    this.#events.push({ type: 'task-updated', task: next });
    return { ok: true, command: cmd.type };
  }

  #finished(taskIndex: number): void {
    this.#finishedOrder.push(taskIndex);
    while (this.#finishedOrder.length > this.#maxFinished) {
      const oldest = this.#finishedOrder.shift()!;
      const task = this.#tasks.get(oldest);
      this.#tasks.delete(oldest);
      if (task) this.#dropRequestIfDone(task.requestId);
      if (task?.batchId !== undefined) this.#dropBatchIfDone(task.batchId);
    }
  }

  #dropBatchIfDone(batchId: number): void {
    const batch = this.#batches.get(batchId);
    if (batch?.taskIndexes.every((i) => !this.#tasks.has(i))) this.#batches.delete(batchId);
  }

  #dropRequestIfDone(requestId: string): void {
    const request = this.#requests.get(requestId);
    if (request?.taskIndexes.every((i) => !this.#tasks.has(i))) this.#requests.delete(requestId);
  }
}
