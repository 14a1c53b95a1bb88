import type { Message } from '@avs/raft-core';
import { estimateMessageSize } from '../codec/frame-codec.js';

/** What to do when a peer's queue is full. Raft tolerates loss, so dropping is safe; the count is kept. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/** Bounds of one peer's send queue. */
export interface QueueLimits {
  /** Messages waiting per peer; default 10 000. */
  readonly maxMessages: number;
  /** Estimated bytes waiting per peer; default 64 MiB. */
  readonly maxBytes: number;
  /** Default `drop-oldest` (newer Raft messages supersede older ones). */
  readonly overflow: OverflowPolicy;
}

/** Default {@link QueueLimits}. */
export const DEFAULT_QUEUE_LIMITS: QueueLimits = {
  maxMessages: 10_000,
  maxBytes: 64 * 1024 * 1024,
  overflow: 'drop-oldest',
};

interface Item {
  readonly message: Message;
  readonly size: number;
}

/**
 * One peer's ordered, bounded queue of outgoing messages. `take` cuts a batch
 * of up to `maxBatchBytes` (always at least one message) in queue order.
 */
export class SendQueue {
  private items: Item[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: QueueLimits) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /**
   * Appends a message, dropping per the overflow policy when full.
   * @returns how many messages were dropped (0 or more)
   */
  push(message: Message): number {
    const size = estimateMessageSize(message);
    let dropped = 0;
    if (this.limits.overflow === 'drop-newest') {
      if (
        this.length >= this.limits.maxMessages ||
        (this.length > 0 && this.bytes + size > this.limits.maxBytes)
      ) {
        return 1;
      }
    } else {
      while (
        this.length > 0 &&
        (this.length >= this.limits.maxMessages || this.bytes + size > this.limits.maxBytes)
      ) {
        this.bytes -= this.items[this.head]!.size;
        this.head++;
        dropped++;
      }
    }
    this.items.push({ message, size });
    this.bytes += size;
    return dropped;
  }

  /** Removes and returns the next batch: messages in order while their estimated size fits `maxBatchBytes`. */
  take(maxBatchBytes: number): Message[] {
    const batch: Message[] = [];
    let size = 0;
    while (this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (batch.length > 0 && size + item.size > maxBatchBytes) break;
      batch.push(item.message);
      size += item.size;
      this.bytes -= item.size;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** Empties the queue. @returns the number of messages dropped */
  clear(): number {
    const n = this.length;
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return n;
  }
}
