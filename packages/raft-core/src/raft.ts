import { applyConfChange, isLeaveJoint } from './confchange/changer.js';
import { decodeConfChange } from './confchange/codec.js';
import type { ResolvedRaftConfig } from './config.js';
import {
  CompactedError,
  type DropReason,
  InvalidConfChangeError,
  ProposalDroppedError,
  RaftConfigError,
  UnavailableError,
} from './errors.js';
import { RaftLog } from './log/raft-log.js';
import { buildMessage, isTermlessRequest, message, voteRespType } from './message.js';
import { plantedFaults } from './planted-faults.js';
import type { VoteResult } from './quorum/quorum.js';
import { stepCandidate, stepFollower } from './raft-follower.js';
import { handOffLeadership, sendAppendTo, stepLeader } from './raft-leader.js';
import { ReadOnly, type ReadState } from './read-only.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import type { Storage } from './storage.js';
import { Progress } from './tracker/progress.js';
import { cloneTrackerConfig, ProgressTracker } from './tracker/tracker.js';
import type { ConfChange, Entry, HardState, Message, NodeId } from './types.js';
import { EntryType, MessageType, NONE } from './types.js';

/** A node's role. Raft paper, section 5.2 (plus the pre-candidate of thesis 9.6). */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Context marking a vote request that comes from a leadership transfer (it may break a leader's lease). */
export const CAMPAIGN_TRANSFER = new TextEncoder().encode('CampaignTransfer');

type CampaignType = 'pre-election' | 'election' | 'transfer';

/** Counters of remote input that was dropped, by reason. */
export type DropCounters = Record<string, number>;

/**
 * The Raft state machine: `step` applies the term rules and hands the
 * message to the current role's step function; `tick` advances logical time.
 * Output accumulates in `msgs`, `msgsAfterAppend` and `readStates` until
 * {@link RawNode} collects it. Not exported: use RawNode.
 */
export class Raft {
  readonly id: NodeId;
  /** Invariant: never decreases. */
  term = 0;
  /** Invariant: at most one vote per term. */
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly log: RaftLog;
  readonly trk = new ProgressTracker();
  isLearner = false;
  /** Messages that may be sent at once. */
  msgs: Message[] = [];
  /** Messages that may be sent only after the current unstable state is durable (votes, append acks). */
  msgsAfterAppend: Message[] = [];
  readStates: ReadState[] = [];
  /** ReadIndex requests waiting for the leader to commit an entry of its term. */
  pendingReadIndexMessages: Message[] = [];
  leadTransferee: NodeId = NONE;
  /**
   * Set once this leader sent TimeoutNow in its term: that message may still
   * arrive and start an election after the transfer was abandoned, so the
   * lease is not trusted again in this term.
   */
  timeoutNowSent = false;
  /**
   * Index of the entry (or snapshot) the current configuration comes from.
   * Membership entries at or below it are already reflected in it (a snapshot
   * installed while older committed entries were still being applied).
   */
  confIndex = 0;
  /** Index of the latest conf change proposed; only one may be unapplied at a time. */
  pendingConfIndex = 0;
  /** Bytes of uncommitted entry data in the leader's log. */
  uncommittedSize = 0;
  readOnly = new ReadOnly();
  electionElapsed = 0;
  heartbeatElapsed = 0;
  /** Ticks since this node started (monotonic; lease reads). */
  ticks = 0;
  randomizedElectionTimeout = 0;
  readonly snapshotReceiver = new SnapshotReceiver();
  readonly dropped: DropCounters = {};
  readonly cfg: ResolvedRaftConfig;
  private stepRole: (r: Raft, m: Message) => void = stepFollower;

  constructor(cfg: ResolvedRaftConfig, storage: Storage, hardState: HardState) {
    this.cfg = cfg;
    this.id = cfg.id;
    this.log = new RaftLog(storage, cfg.maxCommittedSizePerReady);
    if (hardState.commit > 0 || hardState.term > 0) this.loadState(hardState);
    this.becomeFollower(this.term, NONE);
  }

  private loadState(hs: HardState): void {
    if (hs.commit < this.log.committed || hs.commit > this.log.lastIndex()) {
      throw new RaftConfigError(
        `hard state commit ${hs.commit} is outside [${this.log.committed}, ${this.log.lastIndex()}]: storage is inconsistent`,
      );
    }
    this.log.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  /** Counts a dropped remote message. */
  drop(reason: string): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1;
  }

  /** Drops a proposal: throws for the local caller, counts for a remote one. */
  dropProposal(m: Message, reason: DropReason): void {
    if (m.from === this.id || m.from === NONE) throw new ProposalDroppedError(reason);
    this.drop(`proposal-${reason}`);
  }

  /** Queues a message, filling in `from` and `term`; vote and append replies wait for persistence. */
  send(fields: Partial<Message> & Pick<Message, 'type' | 'to'>): void {
    const t = fields.type;
    // Vote messages carry the term they are for (a pre-vote's is the future term);
    // termless requests carry none; everything else carries our term.
    const keepTerm =
      t === MessageType.Vote ||
      t === MessageType.VoteResp ||
      t === MessageType.PreVote ||
      t === MessageType.PreVoteResp ||
      isTermlessRequest(t);
    const m = buildMessage(fields, fields.from || this.id, keepTerm ? (fields.term ?? 0) : this.term);
    if (t === MessageType.AppResp || t === MessageType.VoteResp || t === MessageType.PreVoteResp) {
      // These acknowledge durable state (votes, appended entries): send only after persisting. Also holds for
      // messages to ourselves, so the leader counts its own entries only once they are durable.
      this.msgsAfterAppend.push(m);
    } else {
      this.msgs.push(m);
    }
  }

  // ---- time ----

  tick(): void {
    this.ticks++;
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(message({ type: MessageType.Hup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(message({ type: MessageType.CheckQuorum, from: this.id }));
      // A transfer that did not finish within an election timeout is abandoned (thesis 3.10).
      if (this.role === 'leader' && this.leadTransferee !== NONE) this.abortLeaderTransfer();
      // A leader outside its own configuration keeps handing off until a successor wins.
      if (this.role === 'leader' && !this.trk.isVoter(this.id)) handOffLeadership(this);
    }
    if (this.role !== 'leader') return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: MessageType.Beat, from: this.id }));
    }
  }

  // ---- roles ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.timeoutNowSent = false;
    this.trk.resetVotes();
    const last = this.log.lastIndex();
    const fresh = new Map<NodeId, Progress>();
    for (const [id, old] of this.trk.progress) {
      const pr = new Progress(last + 1, this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes, old.isLearner);
      if (id === this.id) pr.match = this.log.persistedLastIndex();
      fresh.set(id, pr);
    }
    this.trk.progress = fresh;
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
  }

  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.random.intn(this.cfg.electionTick);
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.stepRole = stepFollower;
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomeCandidate(): void {
    this.stepRole = stepCandidate;
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomePreCandidate(): void {
    // Neither the term nor the vote changes: a pre-election must not disrupt anyone (thesis 9.6).
    this.stepRole = stepCandidate;
    this.trk.resetVotes();
    this.lead = NONE;
    this.role = 'pre-candidate';
  }

  becomeLeader(): void {
    this.stepRole = stepLeader;
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.trk.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conservatively treat any conf change in the log as pending until applied.
    this.pendingConfIndex = this.log.lastIndex();
    // An empty entry of the new term lets the leader commit earlier entries (section 5.4.2, 8).
    this.appendEntries([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
    this.uncommittedSize = 0;
  }

  /** Whether this node may become leader: a voter, with no snapshot waiting to be applied. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.log.hasNextOrInProgressSnapshot();
  }

  // ---- elections ----

  hup(t: CampaignType): void {
    if (this.role === 'leader') return;
    if (!this.promotable()) return;
    if (this.hasUnappliedConfChanges()) return;
    this.campaign(t);
  }

  /**
   * Lease mode: whether we heard from a leader within the minimum election
   * timeout. That leader serves reads counting on us not to help elect anyone
   * else until the timeout passes (thesis 6.4.1), so a local `campaign()` is
   * refused meanwhile (the election timer only fires after it).
   */
  inLease(): boolean {
    return (
      this.cfg.readOnlyOption === 'lease-based' &&
      this.lead !== NONE &&
      this.electionElapsed < this.cfg.electionTick
    );
  }

  private hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    // Entries up to a snapshot that is persisted but not yet restored are compacted away; the
    // snapshot's configuration is already in force, so only the entries after it can be pending.
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    if (lo > this.log.committed) return false;
    try {
      const ents = this.log.slice(lo, this.log.committed + 1, Number.MAX_SAFE_INTEGER);
      return ents.some((e) => e.type === EntryType.ConfChange);
    } catch (err) {
      // Cannot tell while storage loads the range, or while it is being compacted under us:
      // do not campaign yet (the next timeout retries).
      if (err instanceof UnavailableError || err instanceof CompactedError) return true;
      throw err;
    }
  }

  campaign(t: CampaignType): void {
    let term: number;
    let voteMsg: MessageType;
    if (t === 'pre-election') {
      this.becomePreCandidate();
      voteMsg = MessageType.PreVote;
      term = this.term + 1; // the term we would campaign in
    } else {
      this.becomeCandidate();
      voteMsg = MessageType.Vote;
      term = this.term;
    }
    const context = t === 'transfer' ? CAMPAIGN_TRANSFER : new Uint8Array(0);
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of this.trk.voterIds()) {
      if (id === this.id) {
        // Our own vote counts only once our term and vote are durable (it goes through msgsAfterAppend).
        this.send({ to: id, term, type: voteRespType(voteMsg) });
        continue;
      }
      this.send({ to: id, term, type: voteMsg, index: lastIndex, logTerm: lastTerm, context });
    }
  }

  /** Records a vote and returns the election's state. */
  poll(id: NodeId, granted: boolean): VoteResult {
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes().result;
  }

  // ---- step ----

  /** Processes one message (already validated by RawNode). Section 5.1: the term rules come first. */
  step(m: Message): void {
    if (m.term === 0) {
      // local message or term-less forwarded request
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const force = sameBytes(m.context, CAMPAIGN_TRANSFER);
        const inLease =
          this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        if (!force && inLease) {
          // We heard from a leader within the minimum election timeout: ignore the disruption (thesis 4.2.3).
          this.drop('vote-in-lease');
          return;
        }
      }
      if (m.type === MessageType.PreVote) {
        // Never change our term for a pre-vote.
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // A granted pre-vote carries the future term; our term moves only if the pre-election wins.
      } else if (
        m.type === MessageType.App ||
        m.type === MessageType.Heartbeat ||
        m.type === MessageType.Snap
      ) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if (
        (this.cfg.checkQuorum ||
          this.cfg.preVote ||
          !this.trk.isVoter(this.id) ||
          !this.trk.isVoter(m.from)) &&
        (m.type === MessageType.Heartbeat || m.type === MessageType.App)
      ) {
        // A stale leader (e.g. after a partition healed) learns our term from this reply and steps down;
        // without it, with pre-vote or check-quorum, the cluster could stall. A learner (or a node
        // outside the configuration) always answers: it never campaigns, so without pre-vote and
        // check-quorum nothing else would ever bring the leader's term up to ours. A leader outside
        // our configuration (removed, handing off) learns from the reply that its successor won.
        this.send({ to: m.from, type: MessageType.AppResp });
      } else if (m.type === MessageType.PreVote) {
        this.send({ to: m.from, term: this.term, type: MessageType.PreVoteResp, reject: true });
      } else {
        this.drop('stale-term');
      }
      return;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.cfg.preVote ? 'pre-election' : 'election');
        return;
      case MessageType.Vote:
      case MessageType.PreVote: {
        // We can vote if we already voted for this candidate, or have not voted and know no leader
        // in this term, or it is a pre-vote for a future term.
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === MessageType.PreVote && m.term > this.term);
        if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
          // Section 5.4.1: grant only to a candidate whose log is at least as up to date as ours.
          this.send({ to: m.from, term: m.term, type: voteRespType(m.type) });
          if (m.type === MessageType.Vote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          // Tell the candidate our commit index (with its term): if its log has that entry, the
          // entry is committed and it may apply what it did not know was committed. Without this,
          // a voter that missed the commit of a change removing a node with a longer log (e.g. a
          // removed leader that crashed before handing off) would wait for that node's vote forever.
          const commit = this.log.committed;
          this.send({
            to: m.from,
            term: this.term,
            type: voteRespType(m.type),
            reject: true,
            commit,
            logTerm: this.log.zeroTermOnOutOfBounds(commit),
          });
        }
        return;
      }
      default:
        this.stepRole(this, m);
    }
  }

  // ---- log ----

  /** Appends entries as leader (assigning term and index); false when the uncommitted cap refuses them. */
  appendEntries(es: readonly Entry[]): boolean {
    let li = this.log.lastIndex();
    const term = this.term;
    const ents: Entry[] = new Array(es.length);
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      ents[i] = { term, index: li + 1 + i, type: e.type, data: e.data };
    }
    if (!this.increaseUncommittedSize(ents)) return false;
    li = this.log.append(ents);
    // The leader acknowledges its own entries once they are durable.
    this.send({ to: this.id, type: MessageType.AppResp, index: li });
    return true;
  }

  private increaseUncommittedSize(ents: readonly Entry[]): boolean {
    let s = 0;
    for (const e of ents) s += e.data.byteLength;
    const max = this.cfg.maxUncommittedEntriesSize;
    if (max > 0 && this.uncommittedSize > 0 && s > 0 && this.uncommittedSize + s > max) return false;
    this.uncommittedSize += s;
    return true;
  }

  reduceUncommittedSize(bytes: number): void {
    this.uncommittedSize = Math.max(0, this.uncommittedSize - bytes);
  }

  /** Commits what a quorum has (current-term entries only); true if the commit index moved. */
  maybeCommit(): boolean {
    if (plantedFaults.countOldTermEntries) {
      const idx = this.trk.committed();
      if (idx <= this.log.committed || idx > this.log.lastIndex()) return false;
      this.log.commitTo(idx);
      return true;
    }
    return this.log.maybeCommit(this.trk.committed(), this.term);
  }

  committedEntryInCurrentTerm(): boolean {
    return this.log.zeroTermOnOutOfBounds(this.log.committed) === this.term;
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- membership ----

  /**
   * Why a conf change may not be proposed now, or undefined if it may. Checked
   * against the latest configuration in the log: at most one change may be
   * unapplied, so that is the current configuration once none is pending.
   */
  confChangeRefusal(cc: ConfChange): string | undefined {
    if (this.pendingConfIndex > this.log.applied) {
      return `a membership change at index ${this.pendingConfIndex} is not applied yet (applied ${this.log.applied})`;
    }
    const joint = this.trk.isJoint();
    const leave = isLeaveJoint(cc);
    if (joint && !leave) return 'the configuration is joint; leave it first';
    if (!joint && leave) return 'not in a joint configuration';
    const dry = new Map<NodeId, Progress>();
    for (const [id, pr] of this.trk.progress) dry.set(id, new Progress(pr.next, 1, 0, pr.isLearner));
    try {
      applyConfChange(cloneTrackerConfig(this.trk.config), dry, cc, this.progressSettings());
    } catch (err) {
      if (err instanceof InvalidConfChangeError) return err.message;
      throw err;
    }
    return undefined;
  }

  /** Validates conf change entries of a proposal; invalid ones throw (local) or become no-ops (remote). */
  checkConfChangeProposal(m: Message): readonly Entry[] {
    const es = m.entries;
    let anyConfChange = false;
    for (let i = 0; i < es.length && !anyConfChange; i++)
      anyConfChange = es[i]!.type === EntryType.ConfChange;
    if (!anyConfChange) return es;
    const out: Entry[] = [];
    for (let i = 0; i < es.length; i++) {
      const e = es[i]!;
      if (e.type !== EntryType.ConfChange) {
        out.push(e);
        continue;
      }
      let refusal: string | undefined;
      try {
        refusal = this.confChangeRefusal(decodeConfChange(e.data));
      } catch (err) {
        if (!(err instanceof InvalidConfChangeError)) throw err;
        refusal = err.message;
      }
      if (refusal !== undefined) {
        if (m.from === this.id || m.from === NONE) throw new InvalidConfChangeError(refusal);
        this.drop('conf-change-refused');
        out.push({ ...e, type: EntryType.Normal, data: new Uint8Array(0) });
      } else {
        this.pendingConfIndex = this.log.lastIndex() + i + 1;
        out.push(e);
      }
    }
    return out;
  }

  progressSettings() {
    return {
      maxInflight: this.cfg.maxInflightMsgs,
      maxInflightBytes: this.cfg.maxInflightBytes,
      lastIndex: this.log.lastIndex(),
    };
  }

  /**
   * Applies the committed conf change of entry `index` to the tracker. A
   * leader that is removed or demoted hands leadership off (see
   * {@link switchToConfig}). Invalid changes (possible only if a change was
   * validated against a configuration that changed since) are ignored.
   * @throws InvalidConfChangeError when the change cannot be applied.
   */
  applyConfChange(cc: ConfChange, index: number): void {
    const { config, progress } = applyConfChange(
      this.trk.config,
      this.trk.progress,
      cc,
      this.progressSettings(),
    );
    this.switchToConfig(config, progress);
    this.confIndex = Math.max(this.confIndex, index);
  }

  switchToConfig(config: ProgressTracker['config'], progress: Map<NodeId, Progress>): void {
    this.trk.config = config;
    this.trk.progress = progress;
    const pr = progress.get(this.id);
    this.isLearner = pr?.isLearner ?? false;
    if (this.role === 'leader' && !this.trk.isVoter(this.id)) {
      if (plantedFaults.stepDownOnRemoval || config.voters.size === 0) {
        this.becomeFollower(this.term, NONE);
        return;
      }
      // Removed or demoted: stepping down now could leave the cluster without a leader forever
      // (voters that did not learn the change committed still need our vote, and our log is
      // longer). So, as in thesis 4.2.2, we keep managing the new configuration without counting
      // ourselves and accept no proposals, and hand leadership to a voter of it (thesis 3.10).
      handOffLeadership(this);
    }
    if (this.role !== 'leader' || config.voters.size === 0) return;
    // The quorum may have changed: commit what the new quorum has, and catch up new members.
    if (this.maybeCommit()) this.bcastAppend();
    else {
      for (const id of this.trk.memberIds()) if (id !== this.id) this.maybeSendAppend(id, false);
    }
    if (this.leadTransferee !== NONE && !this.trk.isVoter(this.leadTransferee)) this.abortLeaderTransfer();
  }

  // ---- leader sending (bodies in raft-leader.ts) ----

  bcastAppend(): void {
    for (const id of this.trk.memberIds()) if (id !== this.id) this.maybeSendAppend(id, true);
  }

  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    return sendAppendTo(this, to, sendIfEmpty);
  }
}

/** Byte-wise equality. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
