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
import { DecodeError } from './errors.js';
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
  readonly aggregate?: TaskAggregate;
  readonly submission?: { readonly txHash: string; readonly blockNumber?: number };
  /** Why a task expired or failed. */
  readonly reason?: string;
}

/** Work the engine does after an apply; never done inside it. */
export type TaskEvent =
  | { readonly type: 'request-created'; readonly request: RequestRecord }
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

type TransitionCommand = Exclude<TaskCommand, { type: 'request.create' | 'member.upsert' | 'member.remove' }>;

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
    if (this.#requests.has(cmd.requestId)) {
      return { ok: false, code: 'DUPLICATE', message: `request ${cmd.requestId} already exists` };
    }
    const clash = cmd.tasks.find((t) => this.#tasks.has(t.taskIndex));
    if (clash) {
      return {
        ok: false,
        code: 'DUPLICATE',
        message: `task ${clash.taskIndex} already belongs to a request`,
      };
    }
    if (new Set(cmd.tasks.map((t) => t.taskIndex)).size !== cmd.tasks.length) {
      return { ok: false, code: 'DUPLICATE', message: `request ${cmd.requestId} names a task index twice` };
    }
    const request: RequestRecord = {
      requestId: cmd.requestId,
      request: cmd.request,
      taskIndexes: cmd.tasks.map((t) => t.taskIndex),
      logIndex,
    };
    this.#requests.set(request.requestId, request);
    for (const meta of cmd.tasks) {
      this.#tasks.set(meta.taskIndex, {
        taskIndex: meta.taskIndex,
        requestId: cmd.requestId,
        meta,
        status: 'pending',
      });
    }
    this.#events.push({ type: 'request-created', request });
    return { ok: true, command: cmd.type };
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
    }
  }

  #dropRequestIfDone(requestId: string): void {
    const request = this.#requests.get(requestId);
    if (request?.taskIndexes.every((i) => !this.#tasks.has(i))) this.#requests.delete(requestId);
  }
}
