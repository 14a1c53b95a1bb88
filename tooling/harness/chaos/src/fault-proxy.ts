/**
 * {@link FaultProxy}: a TCP proxy on 127.0.0.1 for one direction of one link
 * between two kv nodes (node A's URL for node B points at it). It injects
 * the network faults of the chaos suite:
 * - `blocked`: a partition of this direction. Data is swallowed both ways
 *   (as a dropped route does: the sender times out, no reset), new
 *   connections are accepted and black-holed; on heal those are reset so
 *   the sender reconnects.
 * - `lossRate`: each chunk is lost with this probability; as TCP cannot lose
 *   a chunk inside a stream, the connection is reset (the message in flight
 *   is lost, later ones use a new connection).
 * - `delayMs`: every chunk is held this long (order kept).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

/** The faults of one link direction. */
export interface LinkFaults {
  readonly blocked: boolean;
  /** Probability in [0, 1] that a chunk is lost (its connection reset). */
  readonly lossRate: number;
  readonly delayMs: number;
}

/** A healthy link. */
export const HEALTHY_LINK: LinkFaults = { blocked: false, lossRate: 0, delayMs: 0 };

interface Pair {
  readonly client: Socket;
  upstream: Socket | undefined;
  /** Swallowed by a partition: reset on heal. */
  blackholed: boolean;
  releaseAt: number;
}

/** A fault-injecting TCP proxy for one link direction. */
export class FaultProxy {
  private faults: LinkFaults = HEALTHY_LINK;
  private readonly pairs = new Set<Pair>();
  /** Chunks lost to `lossRate`, connections reset. */
  lost = 0;

  private constructor(
    private readonly server: Server,
    /** The port it listens on (127.0.0.1). */
    readonly port: number,
    private readonly targetPort: number,
    private readonly random: () => number,
  ) {}

  /**
   * Listens on a free port of 127.0.0.1 and forwards to `targetPort` there.
   * @param targetPort where the real server listens
   * @param random a seeded source of [0, 1) numbers (loss decisions)
   */
  static async start(targetPort: number, random: () => number): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const proxy = new FaultProxy(server, port, targetPort, random);
    server.on('connection', (socket) => proxy.accept(socket));
    return proxy;
  }

  /** The faults now in force. */
  get current(): LinkFaults {
    return this.faults;
  }

  /** Changes the faults; a partition black-holes the open connections at once. */
  set(faults: Partial<LinkFaults>): void {
    this.faults = { ...this.faults, ...faults };
    if (this.faults.blocked) for (const p of this.pairs) p.blackholed = true;
  }

  /** Removes every fault and resets the black-holed connections (their senders reconnect). */
  heal(): void {
    this.faults = HEALTHY_LINK;
    for (const p of [...this.pairs]) if (p.blackholed) this.drop(p);
  }

  /** Stops listening and resets every connection. */
  async close(): Promise<void> {
    for (const p of [...this.pairs]) this.drop(p);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: undefined, blackholed: this.faults.blocked, releaseAt: 0 };
    this.pairs.add(pair);
    client.on('error', () => this.drop(pair));
    client.on('close', () => this.drop(pair));
    if (!pair.blackholed) {
      const upstream = connect(this.targetPort, '127.0.0.1');
      pair.upstream = upstream;
      upstream.on('error', () => this.drop(pair));
      upstream.on('close', () => this.drop(pair));
      upstream.on('data', (chunk: Buffer) => this.forward(pair, chunk, client));
    }
    client.on('data', (chunk: Buffer) => {
      if (pair.upstream) this.forward(pair, chunk, pair.upstream);
    });
  }

  private forward(pair: Pair, chunk: Buffer, to: Socket): void {
    if (pair.blackholed) return;
    const { lossRate, delayMs } = this.faults;
    if (lossRate > 0 && this.random() < lossRate) {
      this.lost++;
      this.drop(pair);
      return;
    }
    if (delayMs <= 0 && pair.releaseAt <= Date.now()) {
      to.write(chunk);
      return;
    }
    // Keep order: never release a chunk before the one ahead of it.
    pair.releaseAt = Math.max(pair.releaseAt, Date.now() + delayMs);
    setTimeout(() => {
      if (!pair.blackholed && !to.destroyed) to.write(chunk);
    }, pair.releaseAt - Date.now());
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }
}
