import { EMPTY_CONF_STATE } from '../conf-state.js';
import type { RaftConfig } from '../config.js';
import {
  InvalidConfChangeError,
  LeadershipTransferError,
  NodeStoppedError,
  NotLeaderError,
  OutcomeUnknownError,
  ProposalDroppedError,
  RaftConfigError,
  RaftError,
  RaftTimeoutError,
  RaftUsageError,
  UnavailableError,
} from '../errors.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { Random } from '../random.js';
import { createSeededRandom } from '../random.js';
import { RawNode } from '../raw-node.js';
import { contextKey } from '../read-only.js';
import type { Ready } from '../ready.js';
import type { StateMachine } from '../state-machine.js';
import type { RaftStatus } from '../status.js';
import type { Storage } from '../storage.js';
import type { Transport } from '../transport.js';
import type { ConfChange, ConfState, Entry, Message, NodeId, Snapshot } from '../types.js';
import { ConfChangeTransition, ConfChangeType, EntryType, NONE } from '../types.js';
import { type BootstrapMembers, bootstrapStorage, isEmptyInitialState } from './bootstrap.js';
import type { Clock, TimerHandle } from './clock.js';
import { type RaftNodeEventMap, TypedEmitter, type Unsubscribe } from './events.js';
import { RAFT_NODE_DEFAULTS, type RaftNodeConfig } from './node-config.js';
import { PendingProposal, ProposalSink, ProposalTracker } from './proposal-tracker.js';
import { mergeReadyWrites } from './ready-writes.js';
import { systemClock } from './system-clock.js';

/** Reused for scheduling: `RESOLVED.then(fn)` is the cheapest portable microtask. */
const RESOLVED: Promise<void> = Promise.resolve();

/** What {@link RaftNode.create} needs. */
export interface RaftNodeOptions<R = unknown> {
  /** This node's id (unique in the cluster). */
  readonly id: NodeId;
  readonly storage: Storage;
  readonly transport: Transport;
  readonly stateMachine: StateMachine<R>;
  /** Time source; default the runtime's timers ({@link systemClock}). */
  readonly clock?: Clock;
  /** Seed of the election-timeout jitter; default derived from the id. Ignored when `random` is given. */
  readonly seed?: number;
  readonly random?: Random;
  readonly logger?: Logger;
  readonly config?: RaftNodeConfig;
  /**
   * Founding members: when storage is empty, it is bootstrapped with them
   * (every founding member must get the same list). Omit on restart and on
   * nodes that join later.
   */
  readonly bootstrap?: BootstrapMembers;
}

/** Per-call options of `propose`, `readIndex` and membership changes. */
export interface CallOptions {
  /** Deadline in ms (default from the config). On expiry the call rejects with RaftTimeoutError. */
  readonly timeoutMs?: number;
}

/** {@link RaftStatus} plus the driver's state. */
export interface RaftNodeStatus extends RaftStatus {
  /** Whether the node has stopped (closed or fatal error). */
  readonly stopped: boolean;
}

interface Waiter<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
  readonly deadline: number;
  readonly operation: string;
  readonly timeoutMs: number;
}

interface ProposalWaiter<R> extends Waiter<R> {
  term: number;
}

interface ReadWaiter extends Waiter<number> {
  index: number;
}

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
  private readonly cfg: Required<Pick<RaftNodeConfig, keyof typeof RAFT_NODE_DEFAULTS>> & {
    electionTick: number;
  };
  private readonly events = new TypedEmitter<RaftNodeEventMap>();
  private started = false;
  private stopped = false;
  private stopError: unknown;
  private scheduled = false;
  private tickTimer: TimerHandle | undefined;
  private firstRoundTimer: TimerHandle | undefined;
  /** The storage write in flight (settled when idle); `close` waits for it. */
  private writeQueue: Promise<void> = RESOLVED;
  /** The asynchronous apply in flight (settled when idle); `close` waits for it. */
  private applyQueue: Promise<void> = RESOLVED;
  private readonly tracker = new ProposalTracker<R>();
  /** Readies taken from the core whose write has not started; persisted together by the next write. */
  private unpersisted: Ready[] = [];
  /** Persisted Readies waiting to be applied, in order. */
  private unapplied: Ready[] = [];
  /** Snapshot and compaction writes, run between Ready writes. */
  private readonly snapshotWrites: (() => Promise<void>)[] = [];
  private writing = false;
  private applying = false;
  private processing = false;
  private readonly confWaiters = new Map<number, ProposalWaiter<ConfState>>();
  private readonly reads = new Map<string, ReadWaiter>();
  private readonly transfers = new Set<Waiter<void> & { target: NodeId; startTerm: number }>();
  private readCounter = 0;
  private lastApplied: number;
  private lastAppliedTerm: number;
  private snapshotIndex: number;
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
    const c = opts.config ?? {};
    this.cfg = {
      tickMs: c.tickMs ?? RAFT_NODE_DEFAULTS.tickMs,
      proposalTimeoutMs: c.proposalTimeoutMs ?? RAFT_NODE_DEFAULTS.proposalTimeoutMs,
      readIndexTimeoutMs: c.readIndexTimeoutMs ?? RAFT_NODE_DEFAULTS.readIndexTimeoutMs,
      confChangeTimeoutMs: c.confChangeTimeoutMs ?? RAFT_NODE_DEFAULTS.confChangeTimeoutMs,
      snapshotEntries: c.snapshotEntries ?? RAFT_NODE_DEFAULTS.snapshotEntries,
      snapshotTrailingEntries: c.snapshotTrailingEntries ?? RAFT_NODE_DEFAULTS.snapshotTrailingEntries,
      maxProposalBatch: c.maxProposalBatch ?? RAFT_NODE_DEFAULTS.maxProposalBatch,
      electionTick: c.electionTick ?? 10,
    };
    for (const [k, v] of Object.entries(this.cfg)) {
      if (!Number.isSafeInteger(v) || v < 0 || (k === 'tickMs' && v === 0)) {
        throw new RaftConfigError(
          `${k} must be a ${k === 'tickMs' ? 'positive' : 'non-negative'} integer, got ${v}`,
        );
      }
    }
    this.lastApplied = snapshotIndex;
    this.lastAppliedTerm = snapshotTerm;
    this.snapshotIndex = snapshotIndex;
    this.appliedConf = conf;
  }

  /**
   * Loads persisted state (bootstrapping empty storage if `bootstrap` is
   * given), restores the latest snapshot into the state machine and builds
   * the node. Does not start ticking or the transport: call {@link start}.
   * @throws RaftConfigError for invalid settings or inconsistent storage
   */
  static async create<R>(opts: RaftNodeOptions<R>): Promise<RaftNode<R>> {
    let init = await opts.storage.initialState();
    if (opts.bootstrap && isEmptyInitialState(opts.storage, init)) {
      const hardState = await bootstrapStorage(opts.storage, opts.bootstrap, init);
      init = { ...init, hardState };
    }
    let snapIndex = 0;
    let snapTerm = 0;
    let conf = EMPTY_CONF_STATE;
    if (init.snapshotMetadata.index > 0) {
      const snap = await whenAvailable(opts.storage, () => opts.storage.snapshot());
      await opts.stateMachine.restore(snap.data);
      snapIndex = snap.metadata.index;
      snapTerm = snap.metadata.term;
      conf = snap.metadata.confState;
    }
    const {
      tickMs: _t,
      proposalTimeoutMs: _p,
      readIndexTimeoutMs: _r,
      confChangeTimeoutMs: _c,
      snapshotEntries: _s,
      snapshotTrailingEntries: _st,
      maxProposalBatch: _m,
      ...raftCfg
    } = opts.config ?? {};
    const config: RaftConfig = {
      ...raftCfg,
      id: opts.id,
      applied: snapIndex,
      // Without a seed, RawNode seeds from the node id (deterministic per node).
      ...(opts.random
        ? { random: opts.random }
        : opts.seed !== undefined
          ? { random: createSeededRandom(opts.seed) }
          : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    };
    const raw = new RawNode(config, opts.storage, init);
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
      this.reads.set(contextKey(ctx), { ...w, index: -1 });
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
      this.transfers.add({ ...w, target, startTerm: st.term });
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
      this.confWaiters.set(pos.index, { ...w, term: pos.term });
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
    await this.writeQueue.catch(() => undefined);
    await this.applyQueue.catch(() => undefined);
  }

  private stop(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopError = error;
    if (this.tickTimer !== undefined) this.clock.clearTimeout(this.tickTimer);
    if (this.firstRoundTimer !== undefined) this.clock.clearTimeout(this.firstRoundTimer);
    const err = new NodeStoppedError({ cause: error });
    this.tracker.failAll(err);
    this.unpersisted = [];
    this.unapplied = [];
    for (const w of this.confWaiters.values()) w.reject(err);
    this.confWaiters.clear();
    for (const w of this.reads.values()) w.reject(err);
    this.reads.clear();
    for (const w of this.transfers) w.reject(err);
    this.transfers.clear();
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
        this.pumpWrites();
        this.pumpApply();
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

  /** Handles what a Ready allows at once; its write and apply wait in {@link unpersisted}. */
  private takeReady(rd: Ready): void {
    if (rd.softState) this.onSoftState(rd.softState.lead, rd.softState.role);
    // These need nothing persisted first (heartbeats, appends to followers, vote
    // requests): out now, so they never wait behind a write.
    if (rd.messages.length > 0) this.transport.send(rd.messages);
    if (rd.readStates.length > 0) {
      for (const rs of rd.readStates) {
        const w = this.reads.get(contextKey(rs.context));
        if (w) w.index = rs.index;
      }
      this.resolveReads();
    }
    this.unpersisted.push(rd);
  }

  /**
   * Starts the next storage write unless one is in flight: every Ready taken
   * since the previous write, merged into one `save` (one fsync for a disk
   * backend). Writes run one at a time, in order.
   */
  private pumpWrites(): void {
    while (!this.writing && !this.stopped) {
      if (this.unpersisted.length > 0) {
        const batch = this.unpersisted;
        this.unpersisted = [];
        const update = mergeReadyWrites(batch);
        if (update === undefined) {
          this.persistedBatch(batch);
          continue;
        }
        this.writing = true;
        this.writeQueue = this.storage.save(update).then(
          () => {
            this.writing = false;
            this.persistedBatch(batch);
            this.process();
          },
          (err) => this.writeFailed(err),
        );
        return;
      }
      const job = this.snapshotWrites.shift();
      if (!job) return;
      this.writing = true;
      this.writeQueue = job().then(
        () => {
          this.writing = false;
          this.process();
        },
        (err) => this.writeFailed(err),
      );
    }
  }

  private writeFailed(err: unknown): void {
    this.writing = false;
    this.stop(err);
  }

  /** `batch` is durable: send what had to wait for it (votes, append acknowledgements) and tell the core. */
  private persistedBatch(batch: readonly Ready[]): void {
    if (this.stopped) return;
    let out: readonly Message[] | undefined;
    for (const rd of batch) {
      const ms = rd.persistedMessages;
      if (ms.length === 0) continue;
      out = out === undefined ? ms : out.concat(ms);
    }
    if (out !== undefined) this.transport.send(out);
    for (const rd of batch) {
      this.raw.persisted(rd);
      this.unapplied.push(rd);
    }
  }

  /** Applies persisted Readies in order; stops at one the state machine handles asynchronously. */
  private pumpApply(): void {
    while (!this.applying && !this.stopped && this.unapplied.length > 0) {
      const rd = this.unapplied.shift()!;
      const pending = this.applyReady(rd);
      if (pending !== undefined) {
        this.applying = true;
        this.applyQueue = pending.then(
          () => {
            this.applying = false;
            this.process();
          },
          (err) => {
            this.applying = false;
            this.stop(err);
          },
        );
        return;
      }
    }
  }

  /** Applies one persisted Ready; returns a promise only when the state machine answers asynchronously. */
  private applyReady(rd: Ready): Promise<void> | undefined {
    const snap = rd.snapshot;
    if (snap) {
      return Promise.resolve(this.sm.restore(snap.data)).then(() => {
        if (this.stopped) return undefined;
        this.snapshotRestored(snap);
        return this.applyFrom(rd, 0);
      });
    }
    return this.applyFrom(rd, 0);
  }

  /**
   * Applies `rd.committedEntries` from position `from`: runs of normal entries
   * go to the state machine as one call each. Synchronous unless the state
   * machine returns a promise.
   */
  private applyFrom(rd: Ready, from: number): Promise<void> | undefined {
    const ents = rd.committedEntries;
    let i = from;
    while (i < ents.length) {
      const e = ents[i]!;
      if (e.type !== EntryType.Normal || e.data.byteLength === 0) {
        this.tracker.settle(e, undefined as R);
        i++;
        continue;
      }
      let j = i + 1;
      while (j < ents.length && ents[j]!.type === EntryType.Normal && ents[j]!.data.byteLength > 0) j++;
      const run = i === 0 && j === ents.length ? ents : ents.slice(i, j);
      const results = this.sm.apply(run);
      if (!Array.isArray(results)) {
        const next = j;
        return Promise.resolve(results).then((res) => {
          this.settleRun(run, res);
          return this.stopped ? undefined : this.applyFrom(rd, next);
        });
      }
      this.settleRun(run, results);
      i = j;
    }
    if (this.stopped) return undefined;
    return this.finishApply(rd);
  }

  private settleRun(run: readonly Entry[], results: readonly R[]): void {
    for (let k = 0; k < run.length; k++) this.tracker.settle(run[k]!, results[k] as R);
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
      const w = this.confWaiters.get(ch.index);
      if (w) {
        this.confWaiters.delete(ch.index);
        if (ch.error) w.reject(ch.error);
        else w.resolve(ch.confState);
      }
    }
    if (this.confWaiters.size > 0) {
      for (const e of ents) {
        if (e.type !== EntryType.ConfChange) continue;
        const w = this.confWaiters.get(e.index);
        if (w) {
          // The entry at this index is not the one we proposed (another leader overwrote it).
          this.confWaiters.delete(e.index);
          w.reject(new ProposalDroppedError('overwritten'));
        }
      }
    }
    if (this.reads.size > 0) this.resolveReads();
    return this.maybeSnapshot();
  }

  private onSoftState(lead: NodeId, role: RaftStatus['role']): void {
    const term = this.raw.status().term;
    const onError = (e: unknown) => this.listenerError(e);
    if (lead !== this.leader) {
      this.leader = lead;
      this.events.emit('leader-change', { leader: lead, term }, onError);
      for (const t of [...this.transfers]) {
        if (lead === t.target) {
          this.transfers.delete(t);
          t.resolve();
        }
      }
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
    for (const [i, w] of this.confWaiters) {
      if (i <= index) {
        this.confWaiters.delete(i);
        w.reject(new OutcomeUnknownError(i));
      }
    }
    this.lastApplied = index;
    this.lastAppliedTerm = term;
    this.snapshotIndex = index;
    this.appliedConf = confState;
  }

  private resolveReads(): void {
    for (const [k, w] of this.reads) {
      if (w.index >= 0 && w.index <= this.lastApplied) {
        this.reads.delete(k);
        w.resolve(w.index);
      }
    }
  }

  /** Takes a state machine snapshot every `snapshotEntries` applied entries and queues its write and compaction. */
  private maybeSnapshot(): Promise<void> | undefined {
    const every = this.cfg.snapshotEntries;
    if (every === 0 || this.lastApplied - this.snapshotIndex < every) return undefined;
    const metadata = { index: this.lastApplied, term: this.lastAppliedTerm, confState: this.appliedConf };
    this.snapshotIndex = metadata.index;
    // Applying waits for an asynchronous snapshot, so it captures exactly `metadata.index`.
    const data = this.sm.snapshot();
    if (data instanceof Uint8Array) {
      this.queueSnapshotWrite({ metadata, data });
      return undefined;
    }
    return Promise.resolve(data).then((d) => this.queueSnapshotWrite({ metadata, data: d }));
  }

  private queueSnapshotWrite(snap: Snapshot): void {
    if (this.stopped) return;
    const compactTo = snap.metadata.index - this.cfg.snapshotTrailingEntries;
    this.snapshotWrites.push(async () => {
      await this.storage.createSnapshot(snap);
      if (compactTo > this.storage.firstIndex() - 1) await this.storage.compact(compactTo);
    });
    this.pumpWrites();
  }

  private expireWaiters(): void {
    const now = this.clock.now();
    const expire = <T>(w: Waiter<T>) => {
      if (w.deadline > now) return false;
      w.reject(new RaftTimeoutError(w.operation, w.timeoutMs));
      return true;
    };
    this.tracker.expire(now);
    for (const [i, w] of this.confWaiters) if (expire(w)) this.confWaiters.delete(i);
    for (const [k, w] of this.reads) if (expire(w)) this.reads.delete(k);
    for (const t of this.transfers) {
      if (t.deadline <= now) {
        this.transfers.delete(t);
        t.reject(new LeadershipTransferError(`${t.target} did not become leader within ${t.timeoutMs} ms`));
      }
    }
  }
}

function single(type: ConfChangeType, nodeId: NodeId, context?: Uint8Array): ConfChange {
  return {
    transition: ConfChangeTransition.Auto,
    changes: [{ type, nodeId }],
    ...(context ? { context } : {}),
  };
}

/** Calls `read` until storage stops answering UnavailableError (it calls back when loaded). */
async function whenAvailable<T>(storage: Storage, read: () => T): Promise<T> {
  for (;;) {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof UnavailableError)) throw err;
      await new Promise<void>((resolve) => storage.onAvailable(resolve));
    }
  }
}
