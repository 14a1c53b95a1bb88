import type { Clock } from './node/clock.js';
import { systemClock } from './node/system-clock.js';
import type { Random } from './random.js';
import { createSeededRandom } from './random.js';
import type { Transport, TransportHandler } from './transport.js';
import type { Message, NodeId } from './types.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** What a network filter decides for one message: drop it, deliver it now, or deliver it after `delayMs`. */
export type Delivery = 'drop' | 'deliver' | { readonly delayMs: number };

/** Options of {@link createMemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Clock for delayed deliveries; default the system clock. */
  clock?: Clock;
  /** Randomness for {@link MemoryNetwork.setDropRate}; default seeded with 1. */
  random?: Random;
}

/** Counters of what the network did. */
export interface MemoryNetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
}

/**
 * An in-process network of {@link MemoryTransport}s with fault hooks, for
 * tests and benchmarks. Delivery is asynchronous (a microtask, or a clock
 * timer when delayed) and keeps per-link order unless a filter delays
 * messages unevenly.
 */
export interface MemoryNetwork {
  /** The transport of node `id` (created on first use). */
  transport(id: NodeId): MemoryTransport;
  /** Drops every message from `from` to `to` (one way) until {@link heal}. */
  cut(from: NodeId, to: NodeId): void;
  /** Cuts both directions between `a` and `b`. */
  cutBoth(a: NodeId, b: NodeId): void;
  /** Cuts `id` off from every other node, both ways. */
  isolate(id: NodeId): void;
  /** Splits nodes into groups that cannot talk to each other (both ways). */
  partition(...groups: readonly NodeId[][]): void;
  /** Drops each message with probability `rate` (0..1). */
  setDropRate(rate: number): void;
  /** Delays every delivery by `ms` (0 for none). */
  setDelay(ms: number): void;
  /** A custom per-message decision, consulted after cuts and drop rate. `undefined` removes it. */
  setFilter(filter: ((m: Message) => Delivery) | undefined): void;
  /** Removes every cut, the drop rate, the delay and the filter. */
  heal(): void;
  readonly stats: MemoryNetworkStats;
}

/**
 * Creates an in-process network. Example:
 * ```ts
 * const net = createMemoryNetwork();
 * const t1 = net.transport('n1');
 * net.isolate('n3'); // partition n3 away
 * net.heal();
 * ```
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? createSeededRandom(1);
  const transports = new Map<NodeId, MemoryTransport>();
  let cuts = new Set<string>();
  let dropRate = 0;
  let delayMs = 0;
  let filter: ((m: Message) => Delivery) | undefined;
  const stats: MemoryNetworkStats = { sent: 0, delivered: 0, dropped: 0 };
  const key = (from: NodeId, to: NodeId) => `${from}\u0000${to}`;

  const deliver = (m: Message): void => {
    const target = transports.get(m.to);
    const handler = target?.handlerIfOpen();
    if (!handler) {
      stats.dropped++;
      return;
    }
    stats.delivered++;
    handler.receive(m);
  };

  let queue: Message[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    const batch = queue;
    queue = [];
    for (const m of batch) deliver(m);
  };

  const route = (sender: MemoryTransport, m: Message): void => {
    stats.sent++;
    const target = transports.get(m.to);
    if (!target?.handlerIfOpen()) {
      stats.dropped++;
      sender.handlerIfOpen()?.reportUnreachable(m.to);
      return;
    }
    if (cuts.has(key(m.from, m.to)) || (dropRate > 0 && random.intn(1_000_000) < dropRate * 1_000_000)) {
      stats.dropped++;
      return;
    }
    let delay = delayMs;
    if (filter) {
      const d = filter(m);
      if (d === 'drop') {
        stats.dropped++;
        return;
      }
      if (d !== 'deliver') delay += d.delayMs;
    }
    if (delay > 0) {
      clock.setTimeout(() => deliver(m), delay);
      return;
    }
    // Undelayed messages go out in one microtask per batch, in send order
    // (one hop per round of messages rather than one per message).
    queue.push(m);
    if (!flushScheduled) {
      flushScheduled = true;
      void RESOLVED.then(flush);
    }
  };

  return {
    transport(id) {
      let t = transports.get(id);
      if (!t) {
        t = new MemoryTransport(id, route);
        transports.set(id, t);
      }
      return t;
    },
    cut(from, to) {
      cuts.add(key(from, to));
    },
    cutBoth(a, b) {
      cuts.add(key(a, b));
      cuts.add(key(b, a));
    },
    isolate(id) {
      for (const other of transports.keys()) {
        if (other !== id) {
          cuts.add(key(id, other));
          cuts.add(key(other, id));
        }
      }
    },
    partition(...groups) {
      for (const g of groups) {
        for (const h of groups) {
          if (g === h) continue;
          for (const a of g) for (const b of h) cuts.add(key(a, b));
        }
      }
    },
    setDropRate(rate) {
      dropRate = rate;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    setFilter(f) {
      filter = f;
    },
    heal() {
      cuts = new Set();
      dropRate = 0;
      delayMs = 0;
      filter = undefined;
    },
    stats,
  };
}

/** A node's endpoint on a {@link MemoryNetwork}. */
export class MemoryTransport implements Transport {
  private handler: TransportHandler | undefined;

  /** @internal created by {@link MemoryNetwork.transport}. */
  constructor(
    readonly id: NodeId,
    private readonly route: (sender: MemoryTransport, m: Message) => void,
  ) {}

  async start(handler: TransportHandler): Promise<void> {
    this.handler = handler;
  }

  send(messages: readonly Message[]): void {
    if (!this.handler) return;
    for (const m of messages) this.route(this, m);
  }

  async close(): Promise<void> {
    this.handler = undefined;
  }

  /** @internal */
  handlerIfOpen(): TransportHandler | undefined {
    return this.handler;
  }
}
