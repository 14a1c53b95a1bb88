import type { Message, NodeId } from './types.js';

/** How a leader serves ReadIndex requests. */
export type ReadOnlyOption =
  /** Confirm leadership with a heartbeat round to a quorum for every batch of reads (linearizable). Raft thesis 6.4. */
  | 'safe'
  /**
   * Serve from a leader lease: no round trip while a quorum answered a
   * heartbeat within `electionTick - leaseClockDriftTicks`. Needs check-quorum;
   * correct only if clocks drift less than the configured bound.
   */
  | 'lease-based';

/** A read the application may serve once it has applied up to `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: Uint8Array;
}

interface ReadIndexStatus {
  readonly req: Message;
  readonly index: number;
  readonly acks: Set<NodeId>;
}

/** Key of a request context (byte strings compared by content). */
export function contextKey(ctx: Uint8Array): string {
  let s = '';
  for (let i = 0; i < ctx.length; i++) s += String.fromCharCode(ctx[i]!);
  return s;
}

/**
 * The leader's queue of ReadIndex requests waiting for a quorum of heartbeat
 * acknowledgements. A quorum that acknowledges a heartbeat carrying context C
 * also confirms every request queued before C.
 */
export class ReadOnly {
  private readonly pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  /** Queues `req` to be answered with read index `index` once confirmed. */
  addRequest(index: number, req: Message): void {
    const key = contextKey(req.context);
    if (this.pending.has(key)) return;
    this.pending.set(key, { req, index, acks: new Set() });
    this.queue.push(key);
  }

  /** Records `id`'s acknowledgement of the heartbeat carrying `ctx`; returns the acks so far. */
  recvAck(id: NodeId, ctx: Uint8Array): ReadonlyMap<NodeId, boolean> | undefined {
    const rs = this.pending.get(contextKey(ctx));
    if (!rs) return undefined;
    rs.acks.add(id);
    return new Map([...rs.acks].map((a) => [a, true]));
  }

  /** Dequeues every request up to and including the one with context `ctx`. */
  advance(ctx: Uint8Array): { req: Message; index: number }[] {
    const key = contextKey(ctx);
    const at = this.queue.indexOf(key);
    if (at < 0) return [];
    const done = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    return done.map((k) => {
      const rs = this.pending.get(k)!;
      this.pending.delete(k);
      return { req: rs.req, index: rs.index };
    });
  }

  /** Context of the newest pending request (sent with heartbeats), or undefined. */
  lastPendingRequestCtx(): Uint8Array | undefined {
    const key = this.queue[this.queue.length - 1];
    return key === undefined ? undefined : this.pending.get(key)!.req.context;
  }

  get size(): number {
    return this.queue.length;
  }
}
