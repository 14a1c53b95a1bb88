/**
 * The Raft driver. {@link RaftNode} owns the public API (propose, readIndex, membership changes,
 * leadership transfer, status, events), the tick timer and the processing loop that drains the
 * core's Readies. Its parts, each in its own module: `write-pipeline.ts` (persist in order, merged
 * writes, then send what had to wait), `apply-pipeline.ts` (apply each committed entry once, in
 * order), `snapshot-scheduler.ts` (snapshots and log compaction), `node-waiters.ts` (calls waiting
 * on Raft), `proposal-tracker.ts` (proposals), `node-init.ts` (loading persisted state).
 */
import {
  InvalidConfChangeError,
  LeadershipTransferError,
  NodeStoppedError,
  NotLeaderError,
  ProposalDroppedError,
  RaftError,
  RaftUsageError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { RawNode } from '../raw-node.js';
import { contextKey } from '../read-only.js';
import type { Ready } from '../ready.js';
import type { StateMachine } from '../state-machine.js';
import type { RaftStatus } from '../status.js';
import type { Storage } from '../storage.js';
import type { Transport } from '../transport.js';
import type { ConfChange, ConfState, NodeId, Snapshot } from '../types.js';
import { ConfChangeTransition, ConfChangeType, NONE } from '../types.js';
import { ApplyPipeline, RESOLVED } from './apply-pipeline.js';
import { type BootstrapMembers, bootstrapStorage } from './bootstrap.js';
import type { Clock, TimerHandle } from './clock.js';
import { type RaftNodeEventMap, TypedEmitter, type Unsubscribe } from './events.js';
import { type RaftNodeSettings, resolveNodeSettings } from './node-config.js';
import { loadNodeState } from './node-init.js';
import type { CallOptions, RaftNodeOptions, RaftNodeStatus } from './node-options.js';
import { NodeWaiters, type Waiter } from './node-waiters.js';
import { PendingProposal, ProposalSink, ProposalTracker } from './proposal-tracker.js';
import { SnapshotScheduler } from './snapshot-scheduler.js';
import { systemClock } from './system-clock.js';
import { WritePipeline } from './write-pipeline.js';

export type { CallOptions, RaftNodeOptions, RaftNodeStatus } from './node-options.js';

/**
 * Runs a {@link RawNode} against a {@link Storage}, a {@link Transport} and a
 * {@link StateMachine}, driven by an injectable {@link Clock}.
 *
 * - Persists before it sends wherever Raft requires it (vote grants and
 *   append acknowledgements wait for the write); everything else (heartbeats,
 *   appends to followers, votes requests) goes out at once, so heartbeats never
 *   wait behind a slow disk. Writes are pipelined, one at a time, in order.
 * - Applies each committed entry exactly once, in order; after a restart the
 *   latest snapshot is restored into the state machine and later entries are
 *   replayed.
 * - A storage write failure stops the node (`stopped` event); nothing after
 *   it is acknowledged.
 *
 * @example
 * ```ts
 * const node = await RaftNode.start({ id: 'a', storage, transport, stateMachine, bootstrap: { voters: ['a', 'b', 'c'] } });
 * const result = await node.propose(new TextEncoder().encode('set x 1'));
 * ```
 */
export class RaftNode<R = unknown> {
  readonly id: NodeId;
  private readonly raw: RawNode;
  private readonly storage: Storage;
  private readonly transport: Transport;
  private readonly sm: StateMachine<R>;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly cfg: RaftNodeSettings;
  private readonly events = new TypedEmitter<RaftNodeEventMap>();
  private started = false;
  private stopped = false;
  private stopError: unknown;
  private scheduled = false;
  private tickTimer: TimerHandle | undefined;
  private firstRoundTimer: TimerHandle | undefined;
  private readonly tracker = new ProposalTracker<R>();
  private readonly writes: WritePipeline;
  private processing = false;
  private readonly waiters = new NodeWaiters();
  private readonly applier: ApplyPipeline<R>;
  private readonly snapshots: SnapshotScheduler;
  private readCounter = 0;
  private lastApplied: number;
  private lastAppliedTerm: number;
  private appliedConf: ConfState;
  private leader: NodeId = NONE;
  private role: RaftStatus['role'] = 'follower';

  private constructor(
    opts: RaftNodeOptions<R>,
    raw: RawNode,
    snapshotIndex: number,
    snapshotTerm: number,
    conf: ConfState,
  ) {
    this.id = opts.id;
    this.raw = raw;
    this.storage = opts.storage;
    this.transport = opts.transport;
    this.sm = opts.stateMachine;
    this.clock = opts.clock ?? systemClock;
    this.logger = opts.logger ?? silentLogger;
    this.cfg = resolveNodeSettings(opts.config ?? {});
    this.lastApplied = snapshotIndex;
    this.lastAppliedTerm = snapshotTerm;
    this.appliedConf = conf;
    this.applier = new ApplyPipeline<R>({
      sm: this.sm,
      tracker: this.tracker,
      isStopped: () => this.stopped,
      snapshotRestored: (snap) => this.snapshotRestored(snap),
      finishApply: (rd) => this.finishApply(rd),
      process: () => this.process(),
      stop: (err) => this.stop(err),
    });
    this.snapshots = new SnapshotScheduler(
      {
        storage: this.storage,
        snapshot: () => this.sm.snapshot(),
        isStopped: () => this.stopped,
        pumpWrites: () => this.writes.pump(),
      },
      snapshotIndex,
      this.cfg.snapshotEntries,
      this.cfg.snapshotTrailingEntries,
    );
    this.writes = new WritePipeline({
      storage: this.storage,
      isStopped: () => this.stopped,
      nextSnapshotWrite: () => this.snapshots.nextWrite(),
      send: (messages) => this.transport.send(messages),
      persisted: (rd) => {
        this.raw.persisted(rd);
        this.applier.push(rd);
      },
      process: () => this.process(),
      stop: (err) => this.stop(err),
    });
  }

  /**
   * Loads persisted state (bootstrapping empty storage if `bootstrap` is
   * given), restores the latest snapshot into the state machine and builds
   * the node. Does not start ticking or the transport: call {@link start}.
   * @throws RaftConfigError for invalid settings or inconsistent storage
   */
  static async create<R>(opts: RaftNodeOptions<R>): Promise<RaftNode<R>> {
    const { raw, snapIndex, snapTerm, conf } = await loadNodeState(opts);
    return new RaftNode(opts, raw, snapIndex, snapTerm, conf);
  }

  /** {@link create} then {@link start}. */
  static async start<R>(opts: RaftNodeOptions<R>): Promise<RaftNode<R>> {
    const node = await RaftNode.create(opts);
    await node.start();
    return node;
  }

  /** Writes the founding membership into empty storage (see {@link bootstrapStorage}). */
  static async bootstrap(storage: Storage, members: BootstrapMembers): Promise<void> {
    await bootstrapStorage(storage, members);
  }

  /** Starts the transport and the tick timer. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    if (this.stopped) throw new NodeStoppedError();
    this.started = true;
    this.storage.onAvailable(() => {
      if (this.stopped) return;
      this.raw.notifyAvailable();
      this.schedule();
    });
    await this.transport.start({
      receive: (m) => {
        if (this.stopped) return;
        this.raw.step(m);
        this.schedule();
      },
      reportUnreachable: (peer) => {
        if (this.stopped) return;
        this.raw.reportUnreachable(peer);
        this.schedule();
      },
      reportSnapshot: (peer, ok) => {
        if (this.stopped) return;
        this.raw.reportSnapshot(peer, ok);
        this.schedule();
      },
    });
    this.armTick();
    // The first round (applying the committed log, with its events) runs on a
    // timer, not a microtask: listeners registered right after `start()`
    // resolves see its events.
    this.firstRoundTimer = this.clock.setTimeout(() => this.schedule(), 0);
  }

  // ---- public API ----

  /**
   * Proposes `data` and resolves with the state machine's result once the
   * entry is applied on this node.
   * @throws NotLeaderError (rejects) when this node is not the leader; `leader` is the hint
   * @throws ProposalDroppedError when the leader could not append it or it was overwritten
   * @throws RaftTimeoutError after `timeoutMs`; the outcome is then unknown
   * @throws NodeStoppedError when the node is stopped
   */
  propose(data: Uint8Array, options: CallOptions = {}): Promise<R> {
    if (!(data instanceof Uint8Array) || data.byteLength === 0) {
      return Promise.reject(new RaftUsageError('propose needs non-empty Uint8Array data'));
    }
    return new Promise<R>((resolve, reject) => {
      if (this.stopped) return reject(new NodeStoppedError({ cause: this.stopError }));
      if (this.role !== 'leader') return reject(new NotLeaderError(this.leader));
      const timeoutMs = options.timeoutMs ?? this.cfg.proposalTimeoutMs;
      const deadline = this.clock.now() + timeoutMs;
      const sink = new ProposalSink<R>(false, 1, resolve, reject, deadline, timeoutMs, 'propose');
      this.tracker.enqueue(new PendingProposal([data], 0, sink));
      this.schedule();
    });
  }

  /**
   * Proposes several entries at once; they are appended together (one
   * append message per follower) and the promise resolves with the state
   * machine's results, in order, once the last one is applied. The cheap way
   * to push many small commands. Rejects like {@link propose}; if it rejects
   * after some entries were appended, those may still be applied.
   */
  proposeBatch(datas: readonly Uint8Array[], options: CallOptions = {}): Promise<R[]> {
    if (datas.length === 0) return Promise.resolve([]);
    if (datas.some((d) => !(d instanceof Uint8Array) || d.byteLength === 0)) {
      return Promise.reject(new RaftUsageError('proposeBatch needs non-empty Uint8Array entries'));
    }
    return new Promise<R[]>((resolve, reject) => {
      if (this.stopped) return reject(new NodeStoppedError({ cause: this.stopError }));
      if (this.role !== 'leader') return reject(new NotLeaderError(this.leader));
      const timeoutMs = options.timeoutMs ?? this.cfg.proposalTimeoutMs;
      const deadline = this.clock.now() + timeoutMs;
      const sink = new ProposalSink<R>(
        true,
        datas.length,
        resolve,
        reject,
        deadline,
        timeoutMs,
        'proposeBatch',
      );
      const max = Math.max(1, this.cfg.maxProposalBatch);
      for (let i = 0; i < datas.length; i += max) {
        const slice = i === 0 && datas.length <= max ? datas : datas.slice(i, i + max);
        this.tracker.enqueue(new PendingProposal(slice, i, sink));
      }
      this.schedule();
    });
  }

  /**
   * A linearizable read barrier: resolves with a read index once this node
   * has applied at least up to it, so reading the local state machine then
   * observes every write acknowledged before the call. Works on followers
   * (the request is forwarded to the leader).
   * @throws NotLeaderError (rejects) when no leader is known
   */
  readIndex(options: CallOptions = {}): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      if (this.stopped) return reject(new NodeStoppedError({ cause: this.stopError }));
      const ctx = new TextEncoder().encode(`${this.id}/${++this.readCounter}`);
      try {
        this.raw.readIndex(ctx);
      } catch (err) {
        return reject(err);
      }
      const w = this.waiter('readIndex', options.timeoutMs ?? this.cfg.readIndexTimeoutMs, resolve, reject);
      this.waiters.addRead(contextKey(ctx), w);
      this.schedule();
    });
  }

  /**
   * Hands leadership to `to` (default: the most up-to-date other voter).
   * Resolves when `to` is leader.
   * @throws NotLeaderError (rejects) when this node is not the leader
   * @throws LeadershipTransferError when there is no target or it did not win in time
   */
  transferLeadership(to?: NodeId, options: CallOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.stopped) return reject(new NodeStoppedError({ cause: this.stopError }));
      const st = this.raw.status();
      if (st.role !== 'leader') return reject(new NotLeaderError(st.leader));
      let target = to;
      if (target === undefined) {
        let best = -1;
        for (const id of st.config.voters) {
          const pr = st.progress[id];
          if (id !== this.id && pr && pr.match > best) {
            best = pr.match;
            target = id;
          }
        }
      }
      if (target === undefined) return reject(new LeadershipTransferError('no other voter to transfer to'));
      if (target === this.id) return resolve();
      if (!st.config.voters.includes(target)) {
        return reject(new LeadershipTransferError(`${target} is not a voter`));
      }
      this.raw.transferLeader(target);
      const timeoutMs = options.timeoutMs ?? 2 * this.cfg.electionTick * this.cfg.tickMs;
      const w = this.waiter('transferLeadership', timeoutMs, resolve, reject);
      this.waiters.addTransfer(w, target, st.term);
      this.schedule();
    });
  }

  /** Adds `id` as a voter. `context` (e.g. its URL) travels in the log entry. Resolves with the new configuration. */
  addVoter(id: NodeId, context?: Uint8Array, options?: CallOptions): Promise<ConfState> {
    return this.changeMembership(single(ConfChangeType.AddVoter, id, context), options);
  }

  /** Adds `id` as a learner (receives the log, does not vote). */
  addLearner(id: NodeId, context?: Uint8Array, options?: CallOptions): Promise<ConfState> {
    return this.changeMembership(single(ConfChangeType.AddLearner, id, context), options);
  }

  /**
   * Promotes learner `id` to voter.
   * @throws InvalidConfChangeError (rejects) when `id` is not a learner
   */
  promote(id: NodeId, context?: Uint8Array, options?: CallOptions): Promise<ConfState> {
    if (!this.raw.confState().learners.includes(id)) {
      return Promise.reject(new InvalidConfChangeError(`${id} is not a learner`));
    }
    return this.addVoter(id, context, options);
  }

  /** Removes `id` (voter or learner). Removing the leader: once applied it hands leadership to a remaining voter (README, Guarantees). */
  removeServer(id: NodeId, context?: Uint8Array, options?: CallOptions): Promise<ConfState> {
    return this.changeMembership(single(ConfChangeType.RemoveNode, id, context), options);
  }

  /**
   * Proposes any membership change, including joint consensus (several
   * changes, or an explicit joint transition). Resolves with the
   * configuration after the change is applied on this node.
   * @throws NotLeaderError, InvalidConfChangeError, ProposalDroppedError, RaftTimeoutError (all as rejections)
   */
  changeMembership(cc: ConfChange, options: CallOptions = {}): Promise<ConfState> {
    return new Promise<ConfState>((resolve, reject) => {
      if (this.stopped) return reject(new NodeStoppedError({ cause: this.stopError }));
      if (this.role !== 'leader') return reject(new NotLeaderError(this.leader));
      let pos: ReturnType<RawNode['proposeConfChange']>;
      try {
        pos = this.raw.proposeConfChange(cc);
      } catch (err) {
        return reject(err);
      }
      if (!pos) return reject(new NotLeaderError(this.raw.status().leader));
      const w = this.waiter(
        'changeMembership',
        options.timeoutMs ?? this.cfg.confChangeTimeoutMs,
        resolve,
        reject,
      );
      this.waiters.addConfChange(pos.index, pos.term, w);
      this.schedule();
    });
  }

  /** Starts an election now (tests, operator tooling). */
  campaign(): void {
    if (this.stopped) throw new NodeStoppedError({ cause: this.stopError });
    // Catch up first: a node campaigns only once its committed membership
    // changes are applied (right after start they may not be yet).
    if (this.started) this.process();
    this.raw.campaign();
    this.schedule();
  }

  /** The node's current state. */
  status(): RaftNodeStatus {
    return { ...this.raw.status(), applied: this.lastApplied, stopped: this.stopped };
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RaftNodeEventMap>(type: K, listener: (event: RaftNodeEventMap[K]) => void): Unsubscribe {
    return this.events.on(type, listener);
  }

  /**
   * Stops ticking, closes the transport, waits for in-flight writes and
   * applies, and rejects pending calls with NodeStoppedError. The storage and
   * state machine stay open (the caller owns them). Idempotent.
   */
  async close(): Promise<void> {
    if (this.stopped) {
      await this.settle();
      return;
    }
    this.stop(undefined);
    await this.transport.close();
    await this.settle();
    // A clean close writes the commit index that was waiting for the next write. Losing it is
    // harmless (a restart learns it again), so a failure here does not fail the close.
    await this.writes
      .flushDeferred()
      .catch((error) =>
        this.logger.warn('raft node: writing the commit index at close failed', { error: String(error) }),
      );
  }

  // ---- internals ----

  private waiter<T>(
    operation: string,
    timeoutMs: number,
    resolve: (v: T) => void,
    reject: (e: unknown) => void,
  ): Waiter<T> {
    return { resolve, reject, deadline: this.clock.now() + timeoutMs, operation, timeoutMs };
  }

  private async settle(): Promise<void> {
    await this.writes.queue.catch(() => undefined);
    await this.applier.queue.catch(() => undefined);
  }

  private stop(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopError = error;
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    if (this.firstRoundTimer !== undefined) this.clock.clearTimeout(this.firstRoundTimer);
    const err = new NodeStoppedError({ cause: error });
    this.tracker.failAll(err);
    this.writes.clear();
    this.applier.clear();
    this.waiters.failAll(err);
    if (error !== undefined) {
      this.logger.error('raft node stopped by a fatal error', { error: String(error) });
      void this.transport.close().catch(() => undefined);
    }
    this.events.emit('stopped', error === undefined ? {} : { error }, (e) => this.listenerError(e));
  }

  private listenerError(err: unknown): void {
    this.logger.warn('event listener threw', { error: String(err) });
  }

  private armTick(): void {
    this.tickTimer = this.clock.setTimeout(() => {
      if (this.stopped) return;
      this.raw.tick();
      this.expireWaiters();
      this.schedule();
      this.armTick();
    }, this.cfg.tickMs);
  }

  private schedule(): void {
    if (this.scheduled || this.stopped || !this.started) return;
    this.scheduled = true;
    void RESOLVED.then(this.runScheduled);
  }

  private readonly runScheduled = (): void => {
    this.scheduled = false;
    this.process();
  };

  /**
   * Drains the core in one go: appends every queued proposal, takes every
   * Ready, starts the next storage write and applies what is persisted, until
   * nothing is left to do synchronously. Runs once per microtask turn however
   * many inputs arrived in it, so the proposals of one turn share one append
   * and the Readies that pile up behind a write share the next write.
   */
  private process(): void {
    if (this.stopped || this.processing) return;
    this.processing = true;
    try {
      do {
        if (this.tracker.hasQueued) this.flushProposals();
        while (this.raw.hasReady()) this.takeReady(this.raw.ready());
        this.writes.pump();
        this.applier.pump();
      } while (!this.stopped && (this.tracker.hasQueued || this.raw.hasReady()));
    } catch (err) {
      this.stop(err);
    } finally {
      this.processing = false;
    }
  }

  private flushProposals(): void {
    const max = Math.max(1, this.cfg.maxProposalBatch);
    while (this.tracker.hasQueued) {
      const items = this.tracker.take(max);
      let datas: readonly Uint8Array[];
      if (items.length === 1) {
        datas = items[0]!.datas;
      } else {
        const all: Uint8Array[] = [];
        for (const p of items) for (const d of p.datas) all.push(d);
        datas = all;
      }
      let pos: ReturnType<RawNode['proposeBatch']>;
      try {
        pos = this.raw.proposeBatch(datas);
      } catch (err) {
        const e = err instanceof RaftError ? err : new ProposalDroppedError('no-leader');
        for (const p of items) p.sink.fail(e);
        continue;
      }
      if (!pos) {
        const e = new NotLeaderError(this.raw.status().leader);
        for (const p of items) p.sink.fail(e);
        continue;
      }
      this.tracker.appendedAt(items, pos.index, pos.term);
    }
  }

  /** Handles what a Ready allows at once; its write and apply wait in the pipelines. */
  private takeReady(rd: Ready): void {
    if (rd.softState) this.onSoftState(rd.softState.lead, rd.softState.role);
    // These need nothing persisted first (heartbeats, appends to followers, vote
    // requests): out now, so they never wait behind a write.
    if (rd.messages.length > 0) this.transport.send(rd.messages);
    if (rd.readStates.length > 0) this.waiters.readStates(rd.readStates, this.lastApplied);
    this.writes.push(rd);
  }

  /** Tells the core `rd` is applied; settles membership changes and reads; maybe takes a snapshot. */
  private finishApply(rd: Ready): Promise<void> | undefined {
    const ents = rd.committedEntries;
    const changes = this.raw.applied(rd);
    if (ents.length > 0) {
      const last = ents[ents.length - 1]!;
      this.lastApplied = last.index;
      this.lastAppliedTerm = last.term;
    }
    for (const ch of changes) {
      if (!ch.error) this.appliedConf = ch.confState;
      this.events.emit('conf-change', ch, (e) => this.listenerError(e));
      this.waiters.confChangeApplied(ch);
    }
    this.waiters.confChangesOverwritten(ents);
    if (this.waiters.hasReads) this.waiters.resolveReads(this.lastApplied);
    return this.snapshots.maybeSnapshot(this.lastApplied, this.lastAppliedTerm, this.appliedConf);
  }

  private onSoftState(lead: NodeId, role: RaftStatus['role']): void {
    const term = this.raw.status().term;
    const onError = (e: unknown) => this.listenerError(e);
    if (lead !== this.leader) {
      this.leader = lead;
      this.events.emit('leader-change', { leader: lead, term }, onError);
      this.waiters.leaderChanged(lead);
    }
    if (role !== this.role) {
      const wasLeader = this.role === 'leader';
      this.role = role;
      this.events.emit('role-change', { role, term }, onError);
      if (wasLeader) {
        // Queued proposals never reached the log.
        this.tracker.failQueued(new NotLeaderError(lead));
      }
    }
  }

  /** The state machine was restored from `snap`: what it covers is applied. */
  private snapshotRestored(snap: Snapshot): void {
    const { index, term, confState } = snap.metadata;
    this.tracker.failUpTo(index);
    this.waiters.snapshotRestored(index);
    this.lastApplied = index;
    this.lastAppliedTerm = term;
    this.snapshots.index = index;
    this.appliedConf = confState;
  }

  private expireWaiters(): void {
    const now = this.clock.now();
    this.tracker.expire(now);
    this.waiters.expire(now);
  }
}

function single(type: ConfChangeType, nodeId: NodeId, context?: Uint8Array): ConfChange {
  return {
    transition: ConfChangeTransition.Auto,
    changes: [{ type, nodeId }],
    ...(context ? { context } : {}),
  };
}
