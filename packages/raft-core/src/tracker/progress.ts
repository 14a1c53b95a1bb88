import type { Snapshot } from '../types.js';
import { Inflights } from './inflights.js';

/**
 * How the leader replicates to a follower (etcd's progress states):
 * - `probe`: the follower's log position is unknown; send one append at a
 *   time and wait for the answer.
 * - `replicate`: position known; stream appends optimistically (pipelining)
 *   up to the inflight limits.
 * - `snapshot`: the follower needs entries that are compacted; send a
 *   snapshot in chunks and wait until it is installed.
 */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's view of one follower. */
export class Progress {
  /** Highest index known to be in the follower's log. Invariant: match < next. */
  match = 0;
  /** Next index to send. */
  next = 1;
  state: ProgressState = 'probe';
  /** In `snapshot` state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** The snapshot being streamed and the next byte offset to send. */
  snapshot: Snapshot | undefined;
  snapshotOffset = 0;
  /** Heard from the follower since the last check-quorum round. */
  recentActive = false;
  /** In `probe` state: an append is outstanding, send no more until a reply or heartbeat reply. */
  msgAppFlowPaused = false;
  /** Leader tick at which the latest heartbeat this follower answered was sent (lease reads). */
  heartbeatAckTick = -1;
  /** `match` when the previous heartbeat reply arrived; a stalled pipeline is re-probed. */
  matchAtLastHeartbeat = -1;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, maxInflight: number, maxInflightBytes: number, isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
    this.isLearner = isLearner;
  }

  private resetState(state: ProgressState): void {
    this.msgAppFlowPaused = false;
    this.pendingSnapshot = 0;
    this.snapshot = undefined;
    this.snapshotOffset = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Goes back to probing from just after the match (or after the snapshot just sent). */
  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshot.metadata.index;
    this.snapshot = snapshot;
  }

  /** Records that an append carrying `count` entries (`bytes` of data) ending at `lastIndex` was sent. */
  sentEntries(count: number, bytes: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === 'probe') {
      this.msgAppFlowPaused = true;
    }
  }

  /** Updates after an acknowledgement up to `n`; returns whether `match` moved. */
  maybeUpdate(n: number): boolean {
    if (n <= this.match) {
      this.next = Math.max(this.next, n + 1);
      return false;
    }
    this.match = n;
    this.next = Math.max(this.next, n + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /**
   * Handles a rejected append for index `rejected`, with the follower's hint
   * `matchHint` (already refined by the leader's term search). Returns false
   * for a stale rejection. Fast backtracking: raft thesis 3.5 / etcd.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      // A rejection at or below match is stale: match is known good.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    // In probe/snapshot only the answer to the latest probe counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.msgAppFlowPaused = false;
    return true;
  }

  /** Whether sending more appends must wait. */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.msgAppFlowPaused;
      case 'replicate':
        return this.inflights.full();
      default:
        return true;
    }
  }
}
