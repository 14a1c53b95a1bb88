/**
 * One engine over real HTTP on 127.0.0.1 for the HTTP scenario tests: transport-http sessions
 * signed with the operator's key, the in-memory chain, file storage (or memory), real time.
 */
import { BlsKeyPair } from '@avs/bls';
import { MemoryStorage, type Storage } from '@avs/raft-core';
import { FileStorage } from '@avs/storage-file';
import { operatorKeyScheme } from '@avs/transport-http';
import { type Served, serveNode } from '@avs/transport-http/node';
import {
  createHttpEngineTransport,
  createTaskConsensusEngine,
  type HttpEngineTransport,
  type HttpEngineTransportOptions,
  type InMemoryChain,
  type OperatorRaftConfig,
  type TaskConsensusCallbacks,
  type TaskConsensusEngine,
} from '../../src/index.js';
import { ecdsaKeyOf, type SquareRequest, type SquareResponse, squareCallbacks } from './cluster.js';
import { addressOfKey, squareDigest, testJoinAuth } from './test-keys.js';

export interface HttpNodeOptions {
  readonly chain: InMemoryChain;
  /** The operator's ECDSA key is `ecdsaKeyOf(ecdsaIndex)`; its BLS secret key is `blsSecret`. */
  readonly ecdsaIndex: number;
  readonly blsSecret: number;
  /** The cluster id of the session domain (32-byte hex); sessions of another cluster are refused. */
  readonly domainClusterId: string;
  /** The engine's `config.clusterId`. */
  readonly clusterId: string;
  /** File storage in this folder (kept across restarts); absent: memory storage. */
  readonly storageDir?: string;
  /** Port on 127.0.0.1; default a free one. */
  readonly port?: number;
  /** Engine settings over the defaults below. */
  readonly config?: Partial<OperatorRaftConfig>;
  /** Transport options over `{ scheme, client: { requestTimeoutMs: 2000 } }`. */
  readonly transport?: Omit<HttpEngineTransportOptions, 'scheme'>;
  readonly callbacks?: Partial<TaskConsensusCallbacks<SquareRequest, SquareResponse>>;
}

export interface HttpNode {
  readonly address: string;
  readonly ecdsaKey: string;
  readonly bls: BlsKeyPair;
  readonly url: string;
  readonly port: number;
  readonly served: Served;
  readonly storage: Storage;
  readonly transport: HttpEngineTransport;
  readonly engine: TaskConsensusEngine<SquareRequest, SquareResponse>;
}

/**
 * Serves an engine on 127.0.0.1 and registers its operator on the chain (once: a restart keeps
 * the registered endpoints). The engine is created, not started.
 */
export async function startHttpNode(o: HttpNodeOptions): Promise<HttpNode> {
  const { chain } = o;
  const ecdsaKey = ecdsaKeyOf(o.ecdsaIndex);
  const address = addressOfKey(ecdsaKey);
  const bls = BlsKeyPair.fromSecretKey(BigInt(o.blsSecret));
  const transport = createHttpEngineTransport({
    ...o.transport,
    scheme: operatorKeyScheme({
      privateKey: ecdsaKey,
      domain: {
        chainId: chain.chainId,
        verifyingContract: chain.contractAddress,
        clusterId: o.domainClusterId,
      },
    }),
    client: { requestTimeoutMs: 2_000, ...o.transport?.client },
  });
  const served = await serveNode(transport.fetch, { hostname: '127.0.0.1', port: o.port ?? 0 });
  if (!chain.isValidOperator(address)) {
    chain.registerOperator({ address, blsKey: bls, endpoints: { httpUrl: served.url, raftUrl: served.url } });
  }
  const storage = o.storageDir ? await FileStorage.open({ dir: o.storageDir }) : new MemoryStorage();
  const engine = createTaskConsensusEngine<SquareRequest, SquareResponse>({
    blsKey: bls,
    joinAuth: testJoinAuth(ecdsaKey),
    callbacks: { ...squareCallbacks(chain), ...o.callbacks },
    digest: { digestOf: squareDigest },
    config: {
      httpUrl: served.url,
      raftUrl: served.url,
      operatorId: bls.operatorId,
      clusterId: o.clusterId,
      requestTimeoutMs: 2_000,
      retryBaseMs: 50,
      retryMaxMs: 500,
      membershipCheckIntervalMs: 0,
      raft: { tickMs: 20, electionTick: 10, proposalTimeoutMs: 3_000, readIndexTimeoutMs: 2_000 },
      ...o.config,
    },
    storage,
    transport,
    chain,
  });
  const port = Number(new URL(served.url).port);
  return { address, ecdsaKey, bls, url: served.url, port, served, storage, transport, engine };
}

/** Closes the engine, its server and its storage; errors of an already stopped node are ignored. */
export async function stopHttpNode(n: HttpNode): Promise<void> {
  await n.engine.close().catch(() => {});
  await n.served.close().catch(() => {});
  await n.storage.close().catch(() => {});
}
