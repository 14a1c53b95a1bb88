import { CompactedError, NotLeaderError, UnavailableError } from './errors.js';
import { plantedFaults } from './planted-faults.js';
import { VoteResult } from './quorum/quorum.js';
import type { Raft } from './raft.js';
import type { Progress } from './tracker/progress.js';
import type { Entry, Message, NodeId, Snapshot } from './types.js';
import { MessageType, NONE } from './types.js';

/** The leader's step function. Raft paper, sections 5.3 and 5.4; thesis 3.10, 6.4. */
export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Beat:
      bcastHeartbeat(r);
      return;
    case MessageType.CheckQuorum:
      // A leader outside its configuration does not step down for lack of a quorum: it must stay
      // until a successor wins, or voters still waiting for its vote could never elect anyone.
      if (!r.trk.quorumActive() && r.trk.isVoter(r.id)) {
        // We cannot reach a quorum: another leader may exist. Step down (thesis 6.2).
        r.becomeFollower(r.term, NONE);
      }
      for (const [id, pr] of r.trk.progress) if (id !== r.id) pr.recentActive = false;
      return;
    case MessageType.Prop:
      stepProposal(r, m);
      return;
    case MessageType.ReadIndex:
      stepReadIndex(r, m);
      return;
  }

  const pr = r.trk.progress.get(m.from);
  if (!pr) {
    r.drop('unknown-peer');
    return;
  }
  switch (m.type) {
    case MessageType.AppResp:
      handleAppendResponse(r, m, pr);
      return;
    case MessageType.HeartbeatResp:
      handleHeartbeatResponse(r, m, pr);
      return;
    case MessageType.SnapResp:
      handleSnapshotResponse(r, m, pr);
      return;
    case MessageType.SnapStatus:
      if (pr.state !== 'snapshot') return;
      // The transport gave up on the snapshot: probe again after the next heartbeat.
      pr.becomeProbe();
      pr.msgAppFlowPaused = true;
      return;
    case MessageType.Unreachable:
      // Messages were probably lost: stop streaming optimistically.
      if (pr.state === 'replicate') pr.becomeProbe();
      return;
    case MessageType.TransferLeader:
      stepTransferLeader(r, m, pr);
      return;
    default:
      r.drop('unexpected-for-leader');
  }
}

function stepProposal(r: Raft, m: Message): void {
  if (m.entries.length === 0) {
    r.drop('empty-proposal');
    return;
  }
  if (!r.trk.isVoter(r.id)) {
    // Removed from (or demoted in) the configuration while leader: we are handing off.
    r.dropProposal(m, 'not-in-configuration');
    return;
  }
  if (r.leadTransferee !== NONE) {
    // No new entries during a transfer: the target must catch up (thesis 3.10).
    r.dropProposal(m, 'transfer-in-progress');
    return;
  }
  const ents = r.checkConfChangeProposal(m);
  if (!r.appendEntries(ents)) {
    r.dropProposal(m, 'uncommitted-size-exceeded');
    return;
  }
  r.bcastAppend();
}

function handleAppendResponse(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  if (m.reject) {
    // Fast backtracking: the follower told us where its log may match (rejectHint, logTerm); skip
    // every entry of ours whose term is above that term, as they cannot match either.
    let nextProbe = m.rejectHint;
    if (m.logTerm > 0) {
      try {
        nextProbe = r.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      } catch (err) {
        if (!(err instanceof UnavailableError)) throw err;
      }
    }
    if (pr.maybeDecrTo(m.index, nextProbe)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      r.maybeSendAppend(m.from, true);
    }
    return;
  }
  const wasPaused = pr.isPaused();
  if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      // The snapshot is installed: resume log replication after it.
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);

    if (r.maybeCommit()) {
      releasePendingReadIndexMessages(r);
      r.bcastAppend();
    } else if (m.from !== r.id && wasPaused) {
      r.maybeSendAppend(m.from, false);
    }
    if (m.from !== r.id) {
      // Keep the pipeline full while the window allows.
      while (r.maybeSendAppend(m.from, false)) {}
    }
    if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
      // The transfer target caught up: tell it to campaign now.
      sendTimeoutNow(r, m.from);
    }
  } else if (pr.state === 'snapshot' && m.index >= pr.pendingSnapshot) {
    pr.becomeProbe();
    pr.becomeReplicate();
    r.maybeSendAppend(m.from, false);
  }
}

function handleHeartbeatResponse(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  pr.msgAppFlowPaused = false;
  pr.heartbeatAckTick = Math.max(pr.heartbeatAckTick, m.index);
  if (pr.state === 'snapshot') {
    // A chunk or its reply may have been lost: resend from the offset the follower last confirmed.
    if (pr.snapshot) sendSnapshotChunk(r, m.from, pr);
    else pr.becomeProbe();
  } else if (
    pr.state === 'replicate' &&
    pr.inflights.full() &&
    pr.match < r.log.lastIndex() &&
    pr.match === pr.matchAtLastHeartbeat
  ) {
    // A full window and no progress for a whole heartbeat interval: appends were probably lost,
    // and the window would otherwise never drain. Probe from the match. Only when the window is
    // full: with room left, the next append (or the empty one the branch below sends) reaches the
    // follower, which rejects the gap, and that reject starts probing. Probing on slowness alone
    // tore a healthy pipeline down whenever a round trip outlasted the heartbeat interval, resent
    // every outstanding entry and paused replication until the next heartbeat reply.
    pr.becomeProbe();
    r.maybeSendAppend(m.from, true);
  } else if (pr.match < r.log.lastIndex() || pr.state === 'probe') {
    r.maybeSendAppend(m.from, true);
  }
  pr.matchAtLastHeartbeat = pr.match;

  if (r.cfg.readOnlyOption !== 'safe' && r.cfg.readOnlyOption !== 'lease-based') return;
  if (m.context.byteLength === 0) return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (!acks) return;
  const withSelf = new Map(acks);
  withSelf.set(r.id, true);
  if (r.trk.voteResult(withSelf) !== VoteResult.Won) return;
  for (const rs of r.readOnly.advance(m.context)) respondToReadIndex(r, rs.req, rs.index);
}

function handleSnapshotResponse(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  if (pr.state !== 'snapshot' || !pr.snapshot || m.index !== pr.snapshot.metadata.index) {
    r.drop('stale-snap-resp');
    return;
  }
  const total = pr.snapshot.data.byteLength;
  if (m.reject) {
    // The follower lacks earlier bytes (a lost chunk) or started over: resume from its offset.
    pr.snapshotOffset = Math.min(m.rejectHint, total);
    sendSnapshotChunk(r, m.from, pr);
    return;
  }
  if (m.rejectHint <= pr.snapshotOffset && m.rejectHint < total) return; // duplicate ack
  pr.snapshotOffset = Math.min(m.rejectHint, total);
  if (pr.snapshotOffset < total) sendSnapshotChunk(r, m.from, pr);
  // When everything arrived, the follower installs it and answers with an AppResp.
}

function stepTransferLeader(r: Raft, m: Message, pr: Progress): void {
  if (pr.isLearner) {
    r.drop('transfer-to-learner');
    return;
  }
  const transferee = m.from;
  if (r.leadTransferee !== NONE) {
    if (r.leadTransferee === transferee) return; // already in progress
    r.abortLeaderTransfer();
  }
  if (transferee === r.id) return; // already leader
  // The transfer must finish within one election timeout.
  r.electionElapsed = 0;
  r.leadTransferee = transferee;
  if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, transferee);
  else r.maybeSendAppend(transferee, true);
}

function sendTimeoutNow(r: Raft, to: NodeId): void {
  r.timeoutNowSent = true;
  r.send({ to, type: MessageType.TimeoutNow });
}

/**
 * A leader outside its own configuration (removed or demoted) hands
 * leadership to the most up-to-date voter of it; called again every election
 * timeout until a successor's higher term makes this node a follower.
 */
export function handOffLeadership(r: Raft): void {
  let best: NodeId = NONE;
  let bestMatch = -1;
  for (const id of r.trk.voterIds()) {
    const pr = r.trk.progress.get(id);
    if (id === r.id || !pr) continue;
    if (pr.match > bestMatch) {
      best = id;
      bestMatch = pr.match;
    }
  }
  if (best === NONE) return;
  if (r.leadTransferee === best) return;
  r.abortLeaderTransfer();
  r.electionElapsed = 0;
  r.leadTransferee = best;
  const pr = r.trk.progress.get(best)!;
  if (pr.match === r.log.lastIndex()) sendTimeoutNow(r, best);
  else r.maybeSendAppend(best, true);
}

function stepReadIndex(r: Raft, m: Message): void {
  if (!r.trk.isVoter(r.id)) {
    // Removed or demoted and handing off: our quorum no longer includes us, so do not serve reads.
    if (m.from === NONE || m.from === r.id) throw new NotLeaderError(NONE);
    r.drop('read-index-not-voter');
    return;
  }
  if (plantedFaults.readBeforeOwnTermCommit && r.trk.isSingleton()) {
    respondToReadIndex(r, m, r.log.committed);
    return;
  }
  // Section 6.4 of the thesis: the read index is only safe once the leader has committed an
  // entry of its own term (it then knows the latest commit index). This holds for a single
  // voter too: its commit index may have been lost in a crash, or it may have just become the
  // only voter without learning what the old leader committed.
  if (!r.committedEntryInCurrentTerm()) {
    r.pendingReadIndexMessages.push(m);
    return;
  }
  sendReadIndexResponse(r, m);
}

function sendReadIndexResponse(r: Raft, m: Message): void {
  if (r.trk.isSingleton()) {
    // Only we vote: no other leader can exist in our term.
    respondToReadIndex(r, m, r.log.committed);
    return;
  }
  if (r.cfg.readOnlyOption === 'lease-based' && leaseValid(r)) {
    respondToReadIndex(r, m, r.log.committed);
    return;
  }
  r.readOnly.addRequest(r.log.committed, m);
  bcastHeartbeat(r, m.context);
}

/**
 * Whether the leader's lease holds: a quorum answered a heartbeat sent within
 * `electionTick - leaseClockDriftTicks` ticks. Those followers reset their
 * election timers on receipt and ignore vote requests for an election
 * timeout, so no other leader can exist until then (given the drift bound).
 */
export function leaseValid(r: Raft): boolean {
  if (r.leadTransferee !== NONE) return false; // a transfer deliberately breaks the lease
  // A TimeoutNow we sent may still arrive after the transfer was abandoned and start an election.
  if (r.timeoutNowSent) return false;
  const since = r.ticks - (r.cfg.electionTick - r.cfg.leaseClockDriftTicks);
  const acks = new Map<NodeId, boolean>();
  for (const [id, pr] of r.trk.progress) {
    if (id === r.id) acks.set(id, true);
    else if (pr.heartbeatAckTick >= 0 && pr.heartbeatAckTick > since) acks.set(id, true);
  }
  return r.trk.voteResult(acks) === VoteResult.Won;
}

function respondToReadIndex(r: Raft, req: Message, index: number): void {
  if (req.from === NONE || req.from === r.id) {
    r.readStates.push({ index, context: req.context });
    return;
  }
  r.send({ to: req.from, type: MessageType.ReadIndexResp, index, context: req.context });
}

export function releasePendingReadIndexMessages(r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0) return;
  if (!r.committedEntryInCurrentTerm()) return;
  const pending = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of pending) sendReadIndexResponse(r, m);
}

function bcastHeartbeat(r: Raft, ctx?: Uint8Array): void {
  const context = ctx ?? r.readOnly.lastPendingRequestCtx() ?? new Uint8Array(0);
  for (const id of r.trk.memberIds()) {
    if (id === r.id) continue;
    const pr = r.trk.progress.get(id)!;
    // Never commit beyond what the follower is known to have: its log may not match further.
    const commit = Math.min(pr.match, r.log.committed);
    // `index` carries our tick so the follower's echo tells when the heartbeat was sent (leases).
    r.send({ to: id, type: MessageType.Heartbeat, commit, context, index: r.ticks });
  }
}

/**
 * Sends an append (or a snapshot chunk, when the needed entries are
 * compacted) to `to`. Returns whether a message was sent.
 */
export function sendAppendTo(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.trk.progress.get(to);
  if (!pr || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  let prevTerm: number | undefined;
  let ents: Entry[] = [];
  try {
    prevTerm = r.log.termOf(prevIndex);
    if (prevTerm !== undefined) {
      ents = r.log.entriesFrom(pr.next, r.cfg.maxSizePerMsg);
    }
  } catch (err) {
    if (err instanceof UnavailableError) return false; // storage is loading; the next heartbeat reply retries
    if (!(err instanceof CompactedError)) throw err;
    prevTerm = undefined;
  }
  if (prevTerm === undefined) return maybeSendSnapshot(r, to, pr);
  if (ents.length === 0 && !sendIfEmpty) return false;
  let bytes = 0;
  for (const e of ents) bytes += e.data.byteLength;
  const last = ents.length > 0 ? ents[ents.length - 1]!.index : prevIndex;
  r.send({
    to,
    type: MessageType.App,
    index: prevIndex,
    logTerm: prevTerm,
    entries: ents,
    commit: r.log.committed,
  });
  pr.sentEntries(ents.length, bytes, last);
  return true;
}

function maybeSendSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  if (!pr.recentActive) return false; // do not stream a snapshot to a node that seems down
  let snap: Snapshot;
  try {
    snap = r.log.snapshot();
  } catch (err) {
    if (err instanceof UnavailableError) return false;
    throw err;
  }
  if (snap.metadata.index === 0) return false;
  pr.becomeSnapshot(snap);
  sendSnapshotChunk(r, to, pr);
  return true;
}

/** Sends the chunk at `pr.snapshotOffset` (section 7: InstallSnapshot with offsets). */
export function sendSnapshotChunk(r: Raft, to: NodeId, pr: Progress): void {
  const snap = pr.snapshot!;
  const total = snap.data.byteLength;
  const offset = Math.min(pr.snapshotOffset, total);
  const end = Math.min(total, offset + r.cfg.maxSnapshotChunkBytes);
  r.send({
    to,
    type: MessageType.Snap,
    snapshotChunk: {
      metadata: snap.metadata,
      totalSize: total,
      offset,
      data: snap.data.subarray(offset, end),
      done: end === total,
    },
  });
}
