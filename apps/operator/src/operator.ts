/**
 * One operator: its keys, the chain, the Raft log storage, the authenticated
 * HTTP server and the TaskConsensusEngine running an example AVS. Used by
 * `avs-operator start` and by every process of the devnet.
 */
import {
  createChainAdapter,
  createProvider,
  eip712JoinAuthenticator,
  onChainTaskCheck,
  registryEvents,
  taskSpecOf,
} from '@avs/chain';
import {
  createHttpEngineTransport,
  createTaskConsensusEngine,
  type EngineStatus,
  JoinRefusedError,
  type TaskConsensusEngine,
  type TaskRecord,
  TaskStateError,
} from '@avs/engine';
import type { Logger, Storage } from '@avs/raft-core';
import { operatorKeyScheme } from '@avs/transport-http';
import { createPooledFetch, type PooledFetch, type Served, serveNode } from '@avs/transport-http/node';
import { keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { chainBinding } from './avs/chain-binding.js';
import { requestSchema, type TaskRequest } from './avs/example-avs.js';
import { apiTokenOf, type OperatorConfig } from './config.js';
import type { OperatorKeys } from './keys.js';
import { mountOperatorRoutes, type RouteAnswer } from './operator-routes.js';
import { peerDialer } from './peer-dial.js';
import { openStorage } from './storage-factory.js';

/** What `GET /avs/v1/status` answers. */
export interface OperatorStatus extends EngineStatus {
  readonly address: string;
  readonly recentTasks: readonly TaskRecord[];
}

/** A running operator. */
export interface RunningOperator {
  readonly address: string;
  readonly url: string;
  /** Responses (K) are the chain binding's: `TaskResponse` on avs-raft, `SquaringResponse` on eigenlayer. */
  readonly engine: TaskConsensusEngine<TaskRequest, unknown>;
  status(): OperatorStatus;
  /** Stops the engine (handing over leadership first when it leads), the server and the storage. */
  close(): Promise<void>;
}

const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Logger;

/** Starts an operator from a validated config and decrypted keys. */
export async function startOperator(
  config: OperatorConfig,
  keys: OperatorKeys,
  options: { logger?: Logger; onEvent?: (line: string) => void } = {},
): Promise<RunningOperator> {
  const say = options.onEvent ?? (() => {});
  const provider = createProvider(config.rpcUrl, { chainId: config.chainId });
  const wallet = new Wallet(keys.ecdsaPrivateKey, provider);
  const binding = chainBinding(config, provider, wallet);
  const { reader, taskManager } = binding;
  const chain = createChainAdapter({
    taskManager,
    reader,
    chainId: config.chainId,
    fromBlock: config.fromBlock,
    // Membership follows the registry's events (deregistration, endpoints, and invitations with engine.autoInvite).
    registryEvents: registryEvents({ provider, registry: config.contracts.operatorRegistry }),
  });
  const publicUrl = config.server.publicUrl ?? `http://${config.server.host}:${config.server.port}`;
  const scheme = operatorKeyScheme({
    privateKey: keys.ecdsaPrivateKey,
    domain: {
      chainId: config.chainId,
      verifyingContract: config.contracts.operatorRegistry.toLowerCase(),
      clusterId: keccak256(toUtf8Bytes(config.cluster.id)),
    },
  });
  // Bun's built-in `undici` has no dispatcher API (no Agent.request or close): there the runtime's own
  // pooled keep-alive fetch serves. Node and Deno (npm undici) get the sized pool.
  const pooled: PooledFetch =
    'Bun' in globalThis
      ? { fetch: (input, init) => fetch(input, init), close: async () => {} }
      : createPooledFetch();
  const transport = createHttpEngineTransport({
    scheme,
    fetch: pooled.fetch,
    ...(config.cluster.dialUrls === undefined ? {} : { dialUrl: peerDialer(config.cluster.dialUrls) }),
  });
  let storage: Storage | undefined;
  let served: Served | undefined;
  const recent: TaskRecord[] = [];

  try {
    storage = await openStorage(config.storage, keys.address, config.cluster.id);
    const engine = createTaskConsensusEngine<TaskRequest, unknown>({
      blsKey: keys.bls,
      joinAuth: eip712JoinAuthenticator(keys.ecdsaPrivateKey),
      callbacks: {
        requestSchema,
        responseSchema: binding.responseSchema,
        onTaskRequest: (request, tasks) => binding.respond(request, tasks),
        // A follower signs only tasks that exist on-chain with the payload it was given.
        validateTaskRequest: onChainTaskCheck(taskManager, {
          fromBlock: config.fromBlock,
          payloadHashesOf: (request) => request.payloads.map(binding.payloadHashOf),
        }),
        isValidOperator: (address) => chain.isValidOperator(address),
        fetchOperatorUrl: (address) => chain.fetchOperatorUrl(address),
      },
      digest: { digestOf: binding.digestOf },
      config: {
        httpUrl: publicUrl,
        raftUrl: publicUrl,
        operatorId: keys.bls.operatorId,
        clusterId: config.cluster.id,
        ...config.engine,
      },
      storage,
      transport,
      chain,
      logger: options.logger ?? quietLogger,
    });

    engine.on('leader-change', ({ leaderId, term, isSelf }) =>
      say(`leader ${leaderId || '(none)'} term ${term}${isSelf ? ' (this operator)' : ''}`),
    );
    engine.on('task-updated', ({ task }) => {
      recent.push(task);
      if (recent.length > 200) recent.shift();
    });
    engine.on('error', ({ error, context }) =>
      say(`error (${context}): ${error instanceof Error ? error.message : String(error)}`),
    );

    mountOperatorRoutes(transport.server, {
      apiToken: apiTokenOf(config),
      status: statusOf,
      async submitTasks({ tasks }): Promise<RouteAnswer> {
        const leader = await engine.isLeader();
        if (!leader.isLeader) {
          return {
            status: 409,
            body: {
              code: 'NOT_LEADER',
              message: 'send tasks to the leader',
              leaderId: leader.leaderId,
              leaderHttpUrl: leader.leaderHttpUrl,
            },
          };
        }
        if (tasks.every((t) => engine.task(t.taskIndex) !== undefined)) {
          return { status: 200, body: { status: 'known' } };
        }
        const specs = [];
        for (const t of tasks) {
          let created: Awaited<ReturnType<typeof taskManager.getTask>>;
          try {
            created = await taskManager.getTask(t.taskIndex, config.fromBlock);
          } catch {
            return {
              status: 404,
              body: { code: 'UNKNOWN_TASK', message: `task ${t.taskIndex} is not on-chain` },
            };
          }
          let hash: string;
          try {
            hash = binding.payloadHashOf(t.payload);
          } catch (error) {
            return { status: 400, body: { code: 'UNSUPPORTED_PAYLOAD', message: (error as Error).message } };
          }
          if (created.task.payloadHash.toLowerCase() !== hash.toLowerCase()) {
            return {
              status: 400,
              body: { code: 'PAYLOAD_MISMATCH', message: `task ${t.taskIndex} stores another payload hash` },
            };
          }
          specs.push(taskSpecOf(created));
        }
        try {
          const result = await engine.leaderSendTaskRequestToFollowers(
            { payloads: tasks.map((t) => t.payload) },
            specs,
          );
          return { status: 200, body: { status: 'accepted', ...result } };
        } catch (error) {
          if (error instanceof TaskStateError) return { status: 200, body: { status: 'known' } };
          throw error;
        }
      },
    });

    served = await serveNode(transport.fetch, { hostname: config.server.host, port: config.server.port });
    if (config.cluster.bootstrap) {
      await engine.initializeRaftRpcServer(true);
    } else if (config.cluster.joinUrl !== undefined) {
      try {
        await engine.joinExistingOperatorCluster(config.cluster.joinUrl);
      } catch (error) {
        // A restarted member is already in the configuration: its log brings it back.
        if (!(error instanceof JoinRefusedError && error.reason === 'ALREADY_MEMBER')) throw error;
      }
    } else {
      await engine.initializeRaftRpcServer(false);
    }

    function statusOf(): OperatorStatus {
      return { ...engine.status(), address: keys.address, recentTasks: recent.slice(-50) };
    }

    let closing: Promise<void> | undefined;
    return {
      address: keys.address,
      url: served.url,
      engine,
      status: statusOf,
      close() {
        closing ??= (async () => {
          // Hand leadership over first so in-flight tasks carry on without an election timeout.
          if (engine.status().role === 'leader' && engine.status().voters.length > 1) {
            await engine.triggerElection().catch(() => undefined);
          }
          await engine.close().catch(() => undefined);
          await served?.close();
          await storage?.close();
          await pooled.close();
          provider.destroy();
        })();
        return closing;
      },
    };
  } catch (error) {
    await served?.close().catch(() => undefined);
    await storage?.close().catch(() => undefined);
    await pooled.close().catch(() => undefined);
    provider.destroy();
    throw error;
  }
}
