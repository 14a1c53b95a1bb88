import { restoreConfState } from './confchange/changer.js';
import { InvalidConfChangeError, NotLeaderError } from './errors.js';
import { plantedFaults } from './planted-faults.js';
import { VoteResult } from './quorum/quorum.js';
import type { Raft } from './raft.js';
import type { Message, Snapshot } from './types.js';
import { MessageType, NONE } from './types.js';

/** A message of the current term's leader: it is the leader, and the election timer starts over. */
function heardFromLeader(r: Raft, m: Message): void {
  r.electionElapsed = 0;
  r.lead = m.from;
}

/** The follower's step function. Raft paper, sections 5.2-5.3. */
export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MessageType.Prop:
      if (r.lead === NONE) {
        r.dropProposal(m, 'no-leader');
        return;
      }
      if (r.cfg.disableProposalForwarding) {
        r.dropProposal(m, 'forwarding-disabled');
        return;
      }
      r.send({ ...m, to: r.lead, term: 0 });
      return;
    case MessageType.App:
      heardFromLeader(r, m);
      handleAppendEntries(r, m);
      return;
    case MessageType.Heartbeat:
      heardFromLeader(r, m);
      handleHeartbeat(r, m);
      return;
    case MessageType.Snap:
      heardFromLeader(r, m);
      handleSnapshotChunk(r, m);
      return;
    case MessageType.TransferLeader:
      if (r.lead === NONE) {
        if (m.from === r.id) throw new NotLeaderError(NONE);
        r.drop('transfer-no-leader');
        return;
      }
      r.send({ ...m, to: r.lead, term: 0, from: m.from });
      return;
    case MessageType.TimeoutNow:
      // The leader handed leadership to us: campaign at once, skipping the pre-vote (thesis 3.10).
      r.hup('transfer');
      return;
    case MessageType.ReadIndex:
      if (r.lead === NONE) {
        if (m.from === r.id) throw new NotLeaderError(NONE);
        r.drop('read-index-no-leader');
        return;
      }
      r.send({ ...m, to: r.lead, term: 0 });
      return;
    case MessageType.ReadIndexResp:
      r.readStates.push({ index: m.index, context: m.context });
      return;
    default:
      r.drop('unexpected-for-follower');
  }
}

/** The (pre-)candidate's step function. Raft paper, section 5.2. */
export function stepCandidate(r: Raft, m: Message): void {
  const myVoteResp = r.role === 'pre-candidate' ? MessageType.PreVoteResp : MessageType.VoteResp;
  switch (m.type) {
    case MessageType.Prop:
      r.dropProposal(m, 'no-leader');
      return;
    case MessageType.App:
      // Another node won this term (section 5.2).
      r.becomeFollower(m.term, m.from);
      handleAppendEntries(r, m);
      return;
    case MessageType.Heartbeat:
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return;
    case MessageType.Snap:
      r.becomeFollower(m.term, m.from);
      handleSnapshotChunk(r, m);
      return;
    case myVoteResp: {
      if (
        m.reject &&
        !plantedFaults.stepDownOnRemoval &&
        m.commit > r.log.committed &&
        r.log.matchTerm(m.commit, m.logTerm)
      ) {
        // A commit index is a fact whoever reports it; we hold that very entry (same index and
        // term), so everything up to it is committed (Log Matching).
        r.log.commitTo(m.commit);
      }
      const res = r.poll(m.from, !m.reject);
      if (res === VoteResult.Won) {
        if (r.role === 'pre-candidate') r.campaign('election');
        else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (res === VoteResult.Lost) {
        // A rejection in a later term already made us a follower via the term rules.
        r.becomeFollower(r.term, NONE);
      }
      return;
    }
    case MessageType.TimeoutNow:
      r.drop('timeout-now-as-candidate');
      return;
    default:
      r.drop('unexpected-for-candidate');
  }
}

/** Section 5.3: the consistency check, then append and commit. */
export function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    // Everything up to our commit index already matches; tell the leader where we are.
    r.send({ to: m.from, type: MessageType.AppResp, index: r.log.committed });
    return;
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.send({ to: m.from, type: MessageType.AppResp, index: lastNew });
    return;
  }
  // Reject with a hint for fast backtracking: the largest index <= m.index whose term is <= m.logTerm.
  const hint = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send({
    to: m.from,
    type: MessageType.AppResp,
    index: m.index,
    reject: true,
    rejectHint: hint.index,
    logTerm: hint.term,
  });
}

export function handleHeartbeat(r: Raft, m: Message): void {
  // The leader sends min(match, commit), so our log matches up to there.
  if (m.commit <= r.log.lastIndex()) r.log.commitTo(m.commit);
  else r.drop('heartbeat-commit-past-log');
  r.send({ to: m.from, type: MessageType.HeartbeatResp, context: m.context, index: m.index });
}

function handleSnapshotChunk(r: Raft, m: Message): void {
  const c = m.snapshotChunk!;
  const md = c.metadata;
  if (md.index <= r.log.committed) {
    // Already have everything it covers (perhaps installed from an earlier send).
    r.snapshotReceiver.reset();
    r.send({ to: m.from, type: MessageType.AppResp, index: r.log.committed });
    return;
  }
  const out = r.snapshotReceiver.receive(c, r.cfg.maxSnapshotBytes);
  switch (out.kind) {
    case 'too-large':
      r.drop('snapshot-too-large');
      return;
    case 'resend-from':
      r.send({
        to: m.from,
        type: MessageType.SnapResp,
        index: md.index,
        logTerm: md.term,
        reject: true,
        rejectHint: out.offset,
      });
      return;
    case 'progress':
      r.send({
        to: m.from,
        type: MessageType.SnapResp,
        index: md.index,
        logTerm: md.term,
        rejectHint: out.received,
      });
      return;
    case 'complete':
      if (restore(r, out.snapshot)) {
        r.send({ to: m.from, type: MessageType.AppResp, index: r.log.lastIndex() });
      } else {
        r.send({ to: m.from, type: MessageType.AppResp, index: r.log.committed });
      }
  }
}

/**
 * Installs a snapshot from the leader: the log is replaced by it (its
 * conflicting suffix discarded) unless our log already has its last entry.
 * Returns whether it was installed. Raft paper, section 7.
 */
export function restore(r: Raft, s: Snapshot): boolean {
  const md = s.metadata;
  if (md.index <= r.log.committed) return false;
  if (r.role !== 'follower') {
    // Only a leader sends snapshots, and only to followers; be defensive anyway.
    r.becomeFollower(r.term + 1, NONE);
    return false;
  }
  // A snapshot taken before we were added does not list us; the membership entries after it will.
  const cs = md.confState;
  if (r.log.matchTerm(md.index, md.term)) {
    // We have the snapshot's last entry: our log up to there matches; just fast-forward the commit.
    r.log.commitTo(md.index);
    return false;
  }
  let restored: ReturnType<typeof restoreConfState>;
  try {
    restored = restoreConfState(cs, { ...r.progressSettings(), lastIndex: md.index });
  } catch (err) {
    if (err instanceof InvalidConfChangeError) {
      r.drop('snapshot-bad-conf-state');
      return false;
    }
    throw err;
  }
  r.log.restore(s);
  r.switchToConfig(restored.config, restored.progress);
  r.confIndex = md.index;
  return true;
}
