import { OutcomeUnknownError, ProposalDroppedError, RaftTimeoutError } from '../errors.js';
import type { Entry } from '../types.js';
import { EntryType } from '../types.js';

/**
 * Where the outcome of one `propose()` (one entry) or `proposeBatch()` (many
 * entries, one promise) goes. Settles once: the first failure rejects, the
 * last result resolves.
 */
export class ProposalSink<R> {
  private remaining: number;
  private readonly results: R[] | undefined;
  private settled = false;

  /**
   * @param batch whether the caller wants an array of results (proposeBatch) or one result (propose)
   * @param count number of entries the caller proposed
   */
  constructor(
    batch: boolean,
    count: number,
    private readonly resolve: (value: never) => void,
    private readonly reject: (error: unknown) => void,
    readonly deadline: number,
    readonly timeoutMs: number,
    readonly operation: string,
  ) {
    this.remaining = count;
    this.results = batch ? new Array<R>(count) : undefined;
  }

  /** Entry `i` of the call was applied with `result`. */
  result(i: number, result: R): void {
    if (this.settled) return;
    const results = this.results;
    if (results === undefined) {
      this.settled = true;
      (this.resolve as (v: R) => void)(result);
      return;
    }
    results[i] = result;
    if (--this.remaining === 0) {
      this.settled = true;
      (this.resolve as (v: R[]) => void)(results);
    }
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }
}

/** Consecutive entries of one call, from queueing until they are applied. */
export class PendingProposal<R> {
  /** Log index of `datas[0]` once appended. */
  first = 0;
  /** Term it was appended in; an applied entry of another term at that index means it was overwritten. */
  term = 0;

  /** @param offset position of `datas[0]` among the call's entries */
  constructor(
    readonly datas: readonly Uint8Array[],
    readonly offset: number,
    readonly sink: ProposalSink<R>,
  ) {}

  get last(): number {
    return this.first + this.datas.length - 1;
  }
}

/**
 * The driver's proposals: queued (waiting for the next turn, where all of
 * them go into the log as one append), then appended (waiting to be applied).
 * Appended proposals are kept in log order, so settling an applied entry is
 * O(1) with no per-entry map.
 */
export class ProposalTracker<R> {
  private queued: PendingProposal<R>[] = [];
  private queuedEntries = 0;
  private appended: PendingProposal<R>[] = [];
  /** Index in `appended` of the oldest unsettled proposal (the array is compacted lazily). */
  private head = 0;

  get hasQueued(): boolean {
    return this.queued.length > 0;
  }

  enqueue(p: PendingProposal<R>): void {
    this.queued.push(p);
    this.queuedEntries += p.datas.length;
  }

  /**
   * Takes queued proposals holding at most `max` entries in all (at least
   * one proposal), oldest first.
   */
  take(max: number): PendingProposal<R>[] {
    const q = this.queued;
    if (this.queuedEntries <= max) {
      this.queued = [];
      this.queuedEntries = 0;
      return q;
    }
    let n = q[0]!.datas.length;
    let k = 1;
    while (k < q.length && n + q[k]!.datas.length <= max) n += q[k++]!.datas.length;
    this.queuedEntries -= n;
    return q.splice(0, k);
  }

  /**
   * `items` were appended as consecutive entries from `index` in `term`.
   * Proposals we appended earlier at those indexes (in an older term) can no
   * longer commit: they are rejected as overwritten.
   */
  appendedAt(items: readonly PendingProposal<R>[], index: number, term: number): void {
    const a = this.appended;
    while (a.length > this.head && a[a.length - 1]!.last >= index) {
      a.pop()!.sink.fail(new ProposalDroppedError('overwritten'));
    }
    let at = index;
    for (const p of items) {
      p.first = at;
      p.term = term;
      at += p.datas.length;
      a.push(p);
    }
  }

  /**
   * Entry `e` was applied (`result` is the state machine's answer for it, or
   * undefined for no-ops and configuration changes). Call for every applied
   * entry, in log order.
   */
  settle(e: Entry, result: R): void {
    const a = this.appended;
    while (this.head < a.length) {
      const p = a[this.head]!;
      if (e.index < p.first) return; // not one of ours (another leader's, or a no-op)
      const last = p.last;
      if (e.index > last) {
        // Its indexes went by holding other entries (e.g. another leader's configuration change).
        p.sink.fail(new ProposalDroppedError('overwritten'));
        this.shift();
        continue;
      }
      if (e.term === p.term && e.type === EntryType.Normal)
        p.sink.result(p.offset + e.index - p.first, result);
      else p.sink.fail(new ProposalDroppedError('overwritten'));
      if (e.index === last) this.shift();
      return;
    }
  }

  /** A snapshot up to `index` was installed: the outcome of our entries up to it is unknown. */
  failUpTo(index: number): void {
    const a = this.appended;
    while (this.head < a.length && a[this.head]!.first <= index) {
      const p = a[this.head]!;
      p.sink.fail(new OutcomeUnknownError(p.first));
      this.shift();
    }
  }

  /** Rejects queued (not yet appended) proposals. */
  failQueued(error: unknown): void {
    const q = this.queued;
    this.queued = [];
    this.queuedEntries = 0;
    for (const p of q) p.sink.fail(error);
  }

  /** Rejects everything. */
  failAll(error: unknown): void {
    this.failQueued(error);
    const a = this.appended;
    for (let i = this.head; i < a.length; i++) a[i]!.sink.fail(error);
    this.appended = [];
    this.head = 0;
  }

  /** Rejects proposals whose deadline is at or before `now` with RaftTimeoutError. */
  expire(now: number): void {
    const due = (p: PendingProposal<R>) => p.sink.deadline <= now;
    if (this.queued.some(due)) {
      this.queued = this.queued.filter((p) => !expireOne(p, now));
      this.queuedEntries = this.queued.reduce((n, p) => n + p.datas.length, 0);
    }
    const a = this.appended;
    let any = false;
    for (let i = this.head; i < a.length && !any; i++) any = due(a[i]!);
    if (any) {
      this.appended = a.slice(this.head).filter((p) => !expireOne(p, now));
      this.head = 0;
    }
  }

  private shift(): void {
    const a = this.appended;
    a[this.head++] = undefined as unknown as PendingProposal<R>;
    if (this.head === a.length) {
      this.appended = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= a.length) {
      this.appended = a.slice(this.head);
      this.head = 0;
    }
  }
}

function expireOne<R>(p: PendingProposal<R>, now: number): boolean {
  if (p.sink.deadline > now) return false;
  p.sink.fail(new RaftTimeoutError(p.sink.operation, p.sink.timeoutMs));
  return true;
}
