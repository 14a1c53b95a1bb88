/**
 * Wrappers that feed {@link OperatorMetrics} from the pieces the operator
 * assembles: the Raft storage (durable-write timing), the Raft node (proposals) and
 * the ethers provider (JSON-RPC requests).
 */
import type { ConsensusNode } from '@avs/engine';
import type { Storage } from '@avs/raft-core';
import type { JsonRpcProvider } from 'ethers';
import type { OperatorMetrics } from './operator-metrics.js';

/** The storage with every `save` (append + fsync) timed into the fsync histogram. */
export function instrumentStorage(storage: Storage, metrics: OperatorMetrics): Storage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'save') {
        return (update: Parameters<Storage['save']>[0]) => metrics.timeSave(() => target.save(update));
      }
      const value = Reflect.get(target, prop, target) as unknown;
      // Bound to the real object: backends keep state in private fields a proxy cannot reach.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The node with its proposals counted by outcome: the `wrap` hook of the engine's
 * `createRaftNodeFactory`.
 */
export function countProposals<R>(node: ConsensusNode<R>, metrics: OperatorMetrics): ConsensusNode<R> {
  return new Proxy(node, {
    get(target, prop) {
      if (prop === 'propose') {
        return async (data: Uint8Array, options?: Parameters<ConsensusNode<R>['propose']>[1]) => {
          try {
            const result = await target.propose(data, options);
            metrics.proposals.inc({ outcome: 'ok' });
            return result;
          } catch (error) {
            metrics.proposals.inc({ outcome: 'failed' });
            throw error;
          }
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface RpcDebugEvent {
  readonly action: string;
  readonly payload?: { id: number; method: string } | readonly { id: number; method: string }[];
  readonly result?: { id: number } | readonly { id: number }[];
}

/**
 * Counts and times the provider's JSON-RPC requests (`eigen_rpc_request_*`) from ethers'
 * `debug` events. The node's `web3_clientVersion` labels them once known.
 * @returns a function that stops listening
 */
export function instrumentProvider(provider: JsonRpcProvider, metrics: OperatorMetrics): () => void {
  let clientVersion = 'unknown';
  const started = new Map<number, { method: string; end: (labels?: object) => void }>();
  const list = <T>(v: T | readonly T[] | undefined): readonly T[] =>
    v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];
  const listener = (event: RpcDebugEvent) => {
    if (event.action === 'sendRpcPayload') {
      for (const p of list(event.payload)) {
        metrics.rpcRequests.inc({ method: p.method, client_version: clientVersion });
        started.set(p.id, { method: p.method, end: metrics.rpcSeconds.startTimer() });
        if (started.size > 10_000) started.delete(started.keys().next().value as number);
      }
    } else if (event.action === 'receiveRpcResult' || event.action === 'receiveRpcError') {
      for (const r of list(event.result)) {
        const s = started.get(r.id);
        if (!s) continue;
        started.delete(r.id);
        s.end({ method: s.method, client_version: clientVersion });
      }
    }
  };
  void provider.on('debug', listener);
  provider.send('web3_clientVersion', []).then(
    (v: unknown) => {
      if (typeof v === 'string' && v) clientVersion = v.slice(0, 64);
    },
    () => {},
  );
  return () => {
    void provider.off('debug', listener);
  };
}
