/**
 * An in-process network of engines: Raft messages over raft-core's
 * `MemoryNetwork`, engine calls dispatched to the target engine's handler
 * after a JSON round trip (so nothing is shared by reference, as over HTTP).
 * Callers are authenticated by construction (the endpoint's id). Faults:
 * `isolate`, `cutBoth`, `heal` apply to both kinds of traffic.
 */
import { type Clock, createMemoryNetwork, type MemoryNetwork } from '@avs/raft-core';
import { PeerCallError } from '../errors.js';
import {
  type EngineRpcHandler,
  type EngineTransport,
  fromRemoteError,
  type PeerAddress,
  toRemoteError,
} from '../ports/engine-transport.js';

/** A set of in-memory engine endpoints. */
export interface MemoryEngineNetwork {
  /** The endpoint of engine `id`; its HTTP URL is `mem://<id>`. */
  endpoint(id: string): EngineTransport;
  /** The Raft-level network (for finer faults). */
  readonly raft: MemoryNetwork;
  /** Cuts `id` off from everyone, both ways (Raft and engine calls). */
  isolate(id: string): void;
  /** Cuts both directions between two nodes. */
  cutBoth(a: string, b: string): void;
  /** Removes every fault. */
  heal(): void;
  /** Engine calls made so far, by kind (for tests). */
  readonly calls: { submitResponses: number; join: number; forwardJoin: number; probeCluster: number };
}

/**
 * Engine ids are lower-case operator addresses; callers may hold the
 * checksummed form (what ethers and viem return), so every id entering this
 * network is normalised, or a checksummed endpoint would be unreachable.
 */
const normalId = (id: string): string => id.toLowerCase();

/** The URL the in-memory network gives engine `id` (checksummed or not). */
export function memoryUrl(id: string): string {
  return `mem://${normalId(id)}`;
}

/** Creates an in-memory engine network. */
export function createMemoryEngineNetwork(options: { clock?: Clock } = {}): MemoryEngineNetwork {
  const raft = createMemoryNetwork(options.clock ? { clock: options.clock } : {});
  const handlers = new Map<string, EngineRpcHandler>();
  const cuts = new Set<string>();
  const calls = { submitResponses: 0, join: 0, forwardJoin: 0, probeCluster: 0 };
  const key = (a: string, b: string) => `${a}\u0000${b}`;

  async function call<R>(
    from: string | undefined,
    to: string,
    run: (h: EngineRpcHandler) => Promise<R>,
  ): Promise<R> {
    // Let the caller's stack unwind first, as a network would.
    await Promise.resolve();
    const handler = handlers.get(to);
    if (!handler || (from !== undefined && (cuts.has(key(from, to)) || cuts.has(key(to, from))))) {
      throw new PeerCallError(to, 'UNREACHABLE', 'the peer could not be reached');
    }
    try {
      const result = await run(handler);
      return JSON.parse(JSON.stringify(result)) as R;
    } catch (error) {
      throw fromRemoteError(to, JSON.parse(JSON.stringify(toRemoteError(error))));
    }
  }

  const idOfUrl = (url: string) => normalId(url.startsWith('mem://') ? url.slice('mem://'.length) : url);
  const roundTrip = <V>(v: V): unknown => JSON.parse(JSON.stringify(v));

  return {
    raft,
    calls,
    endpoint(rawId) {
      const id = normalId(rawId);
      return {
        raft: raft.transport(id),
        client: {
          submitResponses(to: PeerAddress, body) {
            calls.submitResponses++;
            return call(id, normalId(to.id), (h) => h.submitResponses(id, roundTrip(body)));
          },
          join(httpUrl, body) {
            calls.join++;
            return call(id, idOfUrl(httpUrl), (h) => h.join(roundTrip(body)));
          },
          probeCluster(httpUrl, from) {
            calls.probeCluster++;
            return call(id, idOfUrl(httpUrl), async (h) => {
              if (!h.probeCluster) throw new PeerCallError(httpUrl, 'NOT_FOUND', 'no cluster probe');
              return h.probeCluster(from);
            });
          },
          forwardJoin(to: PeerAddress, body) {
            calls.forwardJoin++;
            return call(id, normalId(to.id), (h) => h.join(roundTrip(body), id));
          },
        },
        serve(handler) {
          handlers.set(id, handler);
        },
        setPeer() {},
        removePeer() {},
        async close() {
          handlers.delete(id);
        },
      };
    },
    isolate(rawId) {
      const id = normalId(rawId);
      raft.isolate(id);
      for (const other of handlers.keys()) {
        if (other !== id) {
          cuts.add(key(id, other));
          cuts.add(key(other, id));
        }
      }
    },
    cutBoth(rawA, rawB) {
      const [a, b] = [normalId(rawA), normalId(rawB)];
      raft.cutBoth(a, b);
      cuts.add(key(a, b));
      cuts.add(key(b, a));
    },
    heal() {
      raft.heal();
      cuts.clear();
    },
  };
}
