import { restoreConfState } from './confchange/changer.js';
import { decodeConfChange, encodeConfChange } from './confchange/codec.js';
import type { RaftConfig } from './config.js';
import { resolveRaftConfig } from './config.js';
import { InvalidConfChangeError, NotLeaderError, RaftError, RaftUsageError } from './errors.js';
import { isLocalMessage, isResponseMessage, isTermlessRequest, message } from './message.js';
import { malformedReason } from './message-validation.js';
import { plantedFaults } from './planted-faults.js';
import { Raft } from './raft.js';
import type { AppliedConfChange, Ready, SoftState } from './ready.js';
import type { RaftStatus } from './status.js';
import type { InitialState, Storage } from './storage.js';
import type { ConfChange, ConfState, Entry, HardState, Message, NodeId } from './types.js';
import { ConfChangeTransition, EntryType, MessageType, NONE } from './types.js';

/** Where a locally proposed entry landed in the leader's log. */
export interface ProposalPosition {
  readonly index: number;
  readonly term: number;
}

interface PendingPersist {
  readonly seq: number;
  readonly selfMessages: Message[];
  readonly lastEntry: { index: number; term: number } | undefined;
  readonly snapshotIndex: number;
}

interface PendingApply {
  readonly seq: number;
  readonly snapshotIndex: number;
  readonly entries: readonly Entry[];
}

/**
 * The deterministic Raft core. Feed it `tick()`, `step(message)` and local
 * requests; collect work with `hasReady()`/`ready()`; acknowledge with
 * `persisted()` and `applied()` (or `advance()` for both). No timers, clocks,
 * promises or `Math.random`: a run is reproducible from its inputs and seed.
 */
export class RawNode {
  private readonly r: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  private seq = 0;
  private readonly pendingPersist: PendingPersist[] = [];
  private readonly pendingApply: PendingApply[] = [];

  /**
   * @param config Raft settings; see {@link RaftConfig}
   * @param storage durable log; its synchronous reads serve the core
   * @param initial what `storage.initialState()` returned
   * @throws RaftConfigError for an invalid config or inconsistent storage
   */
  constructor(config: RaftConfig, storage: Storage, initial: InitialState) {
    const cfg = resolveRaftConfig(config);
    this.r = new Raft(cfg, storage, initial.hardState);
    const r = this.r;
    const snapIndex = initial.snapshotMetadata.index;
    const restored = restoreConfState(initial.snapshotMetadata.confState, r.progressSettings());
    r.switchToConfig(restored.config, restored.progress);
    const applied = cfg.applied ?? Math.max(snapIndex, r.log.applied);
    if (applied > r.log.committed) {
      r.log.committed = Math.min(applied, r.log.lastIndex());
    }
    r.log.applied = Math.min(applied, r.log.committed);
    r.log.applying = r.log.applied;
    r.confIndex = snapIndex;
    this.prevSoft = this.softState();
    this.prevHard = r.hardState();
  }

  // ---- inputs ----

  /** Advances logical time by one tick (elections, heartbeats, check-quorum). */
  tick(): void {
    this.r.tick();
  }

  /**
   * Starts an election now (pre-vote first if enabled). Ignored if this node
   * cannot lead, and in lease mode while it heard from a leader within the
   * election timeout (counted in `status().dropped['campaign-in-lease']`).
   */
  campaign(): void {
    if (this.r.inLease()) {
      this.r.drop('campaign-in-lease');
      return;
    }
    this.r.step(message({ type: MessageType.Hup, from: this.r.id }));
  }

  /**
   * Proposes one entry. On the leader it is appended at once and its position
   * returned; on a follower it is forwarded to the leader (undefined returned).
   * @throws ProposalDroppedError when it cannot be appended or forwarded
   * @throws RaftUsageError for empty data (reserved for the leader's no-op)
   */
  propose(data: Uint8Array): ProposalPosition | undefined {
    return this.proposeBatch([data]);
  }

  /**
   * Proposes several entries as one append (they commit together). Returns
   * the first entry's position on the leader.
   */
  proposeBatch(datas: readonly Uint8Array[]): ProposalPosition | undefined {
    if (datas.length === 0) throw new RaftUsageError('proposeBatch needs at least one entry');
    const entries: Entry[] = datas.map((data) => {
      if (!(data instanceof Uint8Array)) throw new RaftUsageError('proposal data must be a Uint8Array');
      if (data.byteLength === 0)
        throw new RaftUsageError('proposal data must not be empty (reserved for no-ops)');
      return { term: 0, index: 0, type: EntryType.Normal, data };
    });
    return this.proposeEntries(entries);
  }

  /**
   * Proposes a membership change. On the leader it is validated against the
   * latest configuration (at most one change may be unapplied at a time).
   * @throws InvalidConfChangeError when the change is not allowed now
   * @throws ProposalDroppedError when it cannot be appended or forwarded
   */
  proposeConfChange(cc: ConfChange): ProposalPosition | undefined {
    validateConfChangeShape(cc);
    return this.proposeEntries([
      { term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange(cc) },
    ]);
  }

  private proposeEntries(entries: Entry[]): ProposalPosition | undefined {
    const r = this.r;
    const before = r.log.lastIndex();
    r.step(message({ type: MessageType.Prop, from: r.id, entries }));
    if (r.role === 'leader' && r.log.lastIndex() > before) return { index: before + 1, term: r.term };
    return undefined;
  }

  /**
   * Requests a linearizable read point. A matching {@link ReadState} (same
   * `context`) appears in a later Ready; serve the read once applied reaches
   * its index. Use a unique context per request.
   * @throws NotLeaderError when no leader is known to forward to
   */
  readIndex(context: Uint8Array): void {
    if (!(context instanceof Uint8Array) || context.byteLength === 0) {
      throw new RaftUsageError('readIndex needs a non-empty Uint8Array context');
    }
    this.r.step(message({ type: MessageType.ReadIndex, from: this.r.id, context }));
  }

  /**
   * Asks the leader to hand leadership to `to`: it stops accepting proposals,
   * brings `to` up to date, then tells it to campaign. Abandoned after an
   * election timeout.
   * @throws NotLeaderError when no leader is known
   */
  transferLeader(to: NodeId): void {
    if (typeof to !== 'string' || to === '') throw new RaftUsageError('transferLeader needs a node id');
    if (this.r.role !== 'leader' && this.r.lead === NONE) throw new NotLeaderError(NONE);
    this.r.step(message({ type: MessageType.TransferLeader, from: to, to: this.r.lead }));
  }

  /**
   * Feeds a message from a peer. Malformed or misplaced messages are dropped
   * and counted (see {@link RaftStatus.dropped}); this never throws for them.
   */
  step(m: Message): void {
    const r = this.r;
    const reason = rejectReason(r, m);
    if (reason !== undefined) {
      r.drop(reason);
      return;
    }
    try {
      r.step(m);
    } catch (err) {
      if (err instanceof RaftError) {
        r.drop(`rejected: ${err.code}`);
        return;
      }
      throw err;
    }
  }

  /**
   * Storage loaded a range it reported as unavailable (call from the
   * {@link Storage.onAvailable} listener): committed entries are handed out
   * again and the leader retries appends to followers that are behind.
   */
  notifyAvailable(): void {
    const r = this.r;
    r.log.applyBlocked = false;
    if (r.role === 'leader') {
      for (const id of r.trk.memberIds()) {
        const pr = r.trk.progress.get(id)!;
        if (id !== r.id && pr.match < r.log.lastIndex()) r.maybeSendAppend(id, false);
      }
    }
  }

  /** The transport could not reach `id`: replication to it falls back to probing. */
  reportUnreachable(id: NodeId): void {
    if (!this.r.trk.progress.has(id)) return;
    this.r.step(message({ type: MessageType.Unreachable, from: id }));
  }

  /** The transport finished (`ok`) or failed sending a snapshot to `id`. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    if (!this.r.trk.progress.has(id)) return;
    this.r.step(message({ type: MessageType.SnapStatus, from: id, reject: !ok }));
  }

  // ---- outputs ----

  /** Whether {@link ready} has anything to hand out. */
  hasReady(): boolean {
    const r = this.r;
    // Allocation-free: drivers call this after every input.
    if (r.lead !== this.prevSoft.lead || r.role !== this.prevSoft.role) return true;
    const hs = this.prevHard;
    if (r.term !== hs.term || r.vote !== hs.vote || r.log.committed !== hs.commit) return true;
    if (r.msgs.length > 0 || r.msgsAfterAppend.length > 0 || r.readStates.length > 0) return true;
    if (r.log.unstable.nextSnapshot() !== undefined) return true;
    if (r.log.unstable.hasNextEntries()) return true;
    return r.log.hasNextCommittedEnts();
  }

  /** Collects the pending work (see {@link Ready} for what to do with it). */
  ready(): Ready {
    const r = this.r;
    const prevSoft = this.prevSoft;
    const prevHard = this.prevHard;
    const softChanged = r.lead !== prevSoft.lead || r.role !== prevSoft.role;
    const hardChanged =
      r.term !== prevHard.term || r.vote !== prevHard.vote || r.log.committed !== prevHard.commit;
    const soft = softChanged ? this.softState() : prevSoft;
    const hard = hardChanged ? r.hardState() : prevHard;
    const entries = r.log.unstable.nextEntries();
    const snapshot = r.log.unstable.nextSnapshot();
    const committedEntries = r.log.nextCommittedEnts();
    const selfMessages: Message[] = [];
    const persistedMessages: Message[] = [];
    for (const m of r.msgsAfterAppend) (m.to === r.id ? selfMessages : persistedMessages).push(m);
    if (plantedFaults.ackBeforeDurable) r.msgs.push(...persistedMessages.splice(0));
    // Built by assignment, not conditional spreads: ready() runs several times per proposal.
    const rd: { -readonly [K in keyof Ready]: Ready[K] } = {
      seq: ++this.seq,
      entries,
      committedEntries,
      messages: r.msgs,
      persistedMessages,
      readStates: r.readStates,
      mustSync:
        entries.length > 0 ||
        snapshot !== undefined ||
        (hardChanged && (hard.term !== prevHard.term || hard.vote !== prevHard.vote)),
    };
    if (softChanged) rd.softState = soft;
    if (hardChanged) rd.hardState = hard;
    if (snapshot) rd.snapshot = snapshot;
    // Accept: everything above is now the application's to do.
    this.prevSoft = soft;
    this.prevHard = hard;
    r.log.unstable.acceptInProgress();
    if (snapshot) r.log.applying = Math.max(r.log.applying, snapshot.metadata.index);
    if (committedEntries.length > 0) r.log.applying = committedEntries[committedEntries.length - 1]!.index;
    r.msgs = [];
    r.msgsAfterAppend = [];
    r.readStates = [];
    const last = entries[entries.length - 1];
    this.pendingPersist.push({
      seq: rd.seq,
      selfMessages,
      lastEntry: last ? { index: last.index, term: last.term } : undefined,
      snapshotIndex: snapshot?.metadata.index ?? 0,
    });
    this.pendingApply.push({
      seq: rd.seq,
      snapshotIndex: snapshot?.metadata.index ?? 0,
      entries: committedEntries,
    });
    return rd;
  }

  /**
   * Acknowledges that `rd`'s snapshot, entries and hard state are durable.
   * Call in Ready order.
   * @throws RaftUsageError when called out of order
   */
  persisted(rd: Ready): void {
    const p = this.pendingPersist[0];
    if (!p || p.seq !== rd.seq) {
      throw new RaftUsageError(`persisted(#${rd.seq}) out of order: expected #${p?.seq ?? 'none'}`);
    }
    this.pendingPersist.shift();
    const r = this.r;
    if (p.snapshotIndex > 0) r.log.unstable.stableSnapTo(p.snapshotIndex);
    if (p.lastEntry) r.log.unstable.stableTo(p.lastEntry.index, p.lastEntry.term);
    // Our own votes and append acknowledgements count only now.
    for (const m of p.selfMessages) r.step(m);
  }

  /**
   * Acknowledges that `rd`'s snapshot was restored and its committed entries
   * applied. Membership changes among them take effect now; they are returned.
   * @throws RaftUsageError when called out of order or before `persisted(rd)`
   */
  applied(rd: Ready): AppliedConfChange[] {
    const a = this.pendingApply[0];
    if (!a || a.seq !== rd.seq) {
      throw new RaftUsageError(`applied(#${rd.seq}) out of order: expected #${a?.seq ?? 'none'}`);
    }
    if (this.pendingPersist.length > 0 && this.pendingPersist[0]!.seq <= rd.seq) {
      throw new RaftUsageError(`applied(#${rd.seq}) before persisted(#${rd.seq})`);
    }
    this.pendingApply.shift();
    const r = this.r;
    if (a.snapshotIndex > 0) r.log.appliedTo(Math.max(r.log.applied, a.snapshotIndex));
    const changes: AppliedConfChange[] = [];
    let bytes = 0;
    for (const e of a.entries) {
      bytes += e.data.byteLength;
      if (e.type !== EntryType.ConfChange) continue;
      changes.push(this.applyConfChangeEntry(e));
    }
    if (a.entries.length > 0) r.log.appliedTo(a.entries[a.entries.length - 1]!.index);
    r.reduceUncommittedSize(bytes);
    this.maybeAutoLeave();
    return changes;
  }

  /** Acknowledges every outstanding Ready as persisted and applied (the synchronous loop). */
  advance(): AppliedConfChange[] {
    const out: AppliedConfChange[] = [];
    const seqs = this.pendingApply.map((a) => a.seq);
    for (const p of [...this.pendingPersist]) this.persisted({ seq: p.seq } as Ready);
    for (const seq of seqs) out.push(...this.applied({ seq } as Ready));
    return out;
  }

  private applyConfChangeEntry(e: Entry): AppliedConfChange {
    const r = this.r;
    let change: ConfChange = { transition: ConfChangeTransition.Auto, changes: [] };
    try {
      change = decodeConfChange(e.data);
      if (e.index <= r.confIndex && !plantedFaults.reapplySupersededConfChanges) {
        // A snapshot installed after this entry was handed out already carries the configuration
        // that includes it (and any later change): applying it again would corrupt the configuration.
        return { index: e.index, change, confState: r.trk.confState(), superseded: true };
      }
      r.applyConfChange(change, e.index);
      return { index: e.index, change, confState: r.trk.confState() };
    } catch (err) {
      if (!(err instanceof InvalidConfChangeError)) throw err;
      r.drop('conf-change-apply-failed');
      return { index: e.index, change, confState: r.trk.confState(), error: err };
    }
  }

  private maybeAutoLeave(): void {
    const r = this.r;
    if (r.role !== 'leader' || !r.trk.config.autoLeave || !r.trk.isJoint()) return;
    if (r.log.applied < r.pendingConfIndex) return;
    // The joint configuration is applied: leave it automatically (thesis 4.3).
    try {
      this.proposeConfChange({ transition: ConfChangeTransition.Auto, changes: [] });
    } catch (err) {
      if (!(err instanceof RaftError)) throw err;
      r.cfg.logger.debug('auto-leave of joint configuration deferred', { reason: err.message });
    }
  }

  // ---- inspection ----

  private softState(): SoftState {
    return { lead: this.r.lead, role: this.r.role };
  }

  /** The current configuration (as of the last applied change). */
  confState(): ConfState {
    return this.r.trk.confState();
  }

  /** Term of entry `index`, or undefined when compacted or past the end. */
  term(index: number): number | undefined {
    return this.r.log.termOf(index);
  }

  status(): RaftStatus {
    const r = this.r;
    const progress: RaftStatus['progress'] = {};
    if (r.role === 'leader') {
      for (const [id, pr] of r.trk.progress) {
        (progress as Record<string, unknown>)[id] = {
          match: pr.match,
          next: pr.next,
          state: pr.state,
          recentActive: pr.recentActive,
          isLearner: pr.isLearner,
          inflight: pr.inflights.count,
        };
      }
    }
    return {
      id: r.id,
      role: r.role,
      term: r.term,
      vote: r.vote,
      leader: r.lead,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      config: r.trk.confState(),
      leadTransferee: r.leadTransferee,
      progress,
      dropped: { ...r.dropped },
    };
  }

  /** @internal the state machine, for tests in this package. */
  get raft(): Raft {
    return this.r;
  }
}

/** Why a message from the wire must be dropped before the Raft rules see it, or undefined. */
function rejectReason(r: Raft, m: Message): string | undefined {
  const bad = malformedReason(m);
  if (bad !== undefined) return `malformed: ${bad}`;
  if (isLocalMessage(m.type)) return 'local-type-from-wire';
  if (m.to !== r.id) return 'wrong-recipient';
  if (m.from === r.id) return 'from-self';
  if (isTermlessRequest(m.type) ? m.term !== 0 : m.term === 0) return 'bad-term';
  if (isResponseMessage(m.type) && !r.trk.progress.has(m.from)) return 'response-from-non-member';
  return undefined;
}

function validateConfChangeShape(cc: ConfChange): void {
  if (typeof cc !== 'object' || cc === null || !Array.isArray(cc.changes)) {
    throw new RaftUsageError('a ConfChange needs a changes array');
  }
  if (!(cc.transition in ConfChangeTransition))
    throw new RaftUsageError(`unknown transition ${String(cc.transition)}`);
  for (const c of cc.changes) {
    if (typeof c.nodeId !== 'string' || c.nodeId === '')
      throw new RaftUsageError('each change needs a node id');
  }
}
