import type { Message, NodeId } from './types.js';

/** What a transport delivers to the node it serves. */
export interface TransportHandler {
  /** A message from a peer. May be called any time after `start`. */
  receive(message: Message): void;
  /** A send to `peer` failed; Raft slows down replication to it (probe). */
  reportUnreachable(peer: NodeId): void;
  /**
   * The transport finished (`ok`) or gave up on sending a snapshot to `peer`.
   * On failure the leader probes the peer again instead of waiting on the
   * snapshot. Optional for transports that never fail a snapshot on their own.
   */
  reportSnapshot?(peer: NodeId, ok: boolean): void;
}

/**
 * Moves Raft messages between nodes, implemented by `@avs/transport-http`
 * (and {@link MemoryTransport} for tests). Delivery is best effort: Raft
 * tolerates loss, duplication and reordering, so `send` never throws for
 * network failures; it reports them through `reportUnreachable`.
 */
export interface Transport {
  /** Starts delivering received messages to `handler`. */
  start(handler: TransportHandler): Promise<void>;
  /** Queues messages for sending; returns at once. Messages to one peer keep their order. */
  send(messages: readonly Message[]): void;
  /** Stops sending and receiving. Idempotent. */
  close(): Promise<void>;
}
