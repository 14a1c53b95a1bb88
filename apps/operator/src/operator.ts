/**
 * One operator: its keys, the chain, the Raft log storage, the authenticated
 * HTTP server and the TaskConsensusEngine running an example AVS. Used by
 * `avs-operator start` and by every process of the devnet.
 */
import { createProvider, registryEvents } from '@avs/chain';
import {
  ClusterExistsError,
  createHttpEngineTransport,
  createRaftNodeFactory,
  createTaskConsensusEngine,
  type EngineStatus,
  JoinRefusedError,
  type TaskConsensusEngine,
  type TaskRecord,
  TaskStateError,
} from '@avs/engine';
import { createChainAdapter, eip712JoinAuthenticator, onChainTaskCheck, taskSpecOf } from '@avs/engine-chain';
import type { Storage } from '@avs/raft-core';
import { operatorKeyScheme, TransportMetrics } from '@avs/transport-http';
import {
  createDnsResolver,
  createPooledFetch,
  type PooledFetch,
  type Served,
  serveNode,
} from '@avs/transport-http/node';
import { keccak256, toUtf8Bytes, Wallet } from 'ethers';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type BoundTaskRequest, chainBinding } from './avs/chain-binding.js';
import { type AvsTaskModule, loadTaskModule, untypedTaskModule } from './avs/task-module.js';
import { apiTokenOf, batchingOf, type OperatorConfig } from './config.js';
import { StartupCheckError } from './errors.js';
import type { OperatorKeys } from './keys.js';
import { componentLogger, createOperatorLogger } from './logging.js';
import { countProposals, instrumentProvider, instrumentStorage } from './metrics/instrumentation.js';
import { mountNodeApi } from './metrics/node-api.js';
import { OperatorMetrics } from './metrics/operator-metrics.js';
import { SubmittedGas } from './metrics/submitted-gas.js';
import { mountOperatorRoutes, operatorOrToken, type RouteAnswer } from './operator-routes.js';
import { peerDialer } from './peer-dial.js';
import { openStorage } from './storage-factory.js';

/** A task request (T) as replicated: the payloads of its on-chain tasks, in task order. */
export type ModuleTaskRequest = BoundTaskRequest;

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
  readonly engine: TaskConsensusEngine<ModuleTaskRequest, unknown>;
  /** Its Prometheus metrics (also served at `/metrics`). */
  readonly metrics: OperatorMetrics;
  status(): OperatorStatus;
  /** Stops the engine (handing over leadership first when it leads), the server and the storage. */
  close(): Promise<void>;
}

/** Options of {@link startOperator}. */
export interface StartOperatorOptions {
  /** Where the operator, engine, Raft and transport log; default JSON lines on stdout at `info`. */
  readonly log?: Logger;
  /** Reported by `/eigen/node` as `node_version`. */
  readonly version?: string;
  /** The AVS's task logic; default the config's `avs` (a module path, or the built-in examples). */
  readonly taskModule?: AvsTaskModule<never, never>;
}

/** Starts an operator from a validated config and decrypted keys. */
export async function startOperator(
  config: OperatorConfig,
  keys: OperatorKeys,
  options: StartOperatorOptions = {},
): Promise<RunningOperator> {
  const log = (options.log ?? createOperatorLogger()).child({ operator: keys.address });
  const module: AvsTaskModule | undefined = options.taskModule
    ? untypedTaskModule(options.taskModule)
    : config.avs.kind === 'module'
      ? await loadTaskModule(config.avs.path)
      : undefined;
  const provider = createProvider(config.rpcUrl, { chainId: config.chainId });
  const wallet = new Wallet(keys.ecdsaPrivateKey, provider);
  const binding = chainBinding(config, provider, wallet, module, (replaced) =>
    log.warn(
      { what: replaced.what, nonce: replaced.nonce, hashes: replaced.hashes },
      'transaction replaced with higher fees',
    ),
  );
  const requestSchema = z.object({ payloads: z.array(binding.payloadSchema).min(1).max(64) }).strict();
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
  const transportMetrics = new TransportMetrics();
  const transportLog = componentLogger(log, 'transport');
  const transport = createHttpEngineTransport({
    scheme,
    fetch: pooled.fetch,
    server: { metrics: transportMetrics, logger: transportLog },
    client: {
      metrics: transportMetrics,
      // Registered names are resolved at each dial (cached 30 s): a name cannot point into this network.
      endpoints: { ...config.cluster.endpoints, resolve: createDnsResolver() },
      logger: transportLog,
    },
    ...(config.cluster.dialUrls === undefined ? {} : { dialUrl: peerDialer(config.cluster.dialUrls) }),
  });
  let storage: Storage | undefined;
  let served: Served | undefined;
  const recent: TaskRecord[] = [];

  let engineRef: TaskConsensusEngine<ModuleTaskRequest, unknown> | undefined;
  const metrics = new OperatorMetrics(
    {
      status: () => {
        if (!engineRef) throw new Error('metrics read before the engine exists');
        return engineRef.status();
      },
      transport: transportMetrics,
    },
    { avsName: config.metrics.avsName },
  );
  const stopRpcMetrics = instrumentProvider(provider, metrics);

  try {
    storage = instrumentStorage(
      await openStorage(config.storage, keys.address, config.cluster.id, componentLogger(log, 'storage')),
      metrics,
    );
    // `batching` is an engine option of its own, not part of the engine's (strict) config.
    const { batching: _batching, maxConcurrentSubmissions = 32, ...engineConfig } = config.engine;
    const batching = batchingOf(config);
    const engine = createTaskConsensusEngine<ModuleTaskRequest, unknown>({
      blsKey: keys.bls,
      joinAuth: eip712JoinAuthenticator(keys.ecdsaPrivateKey),
      callbacks: {
        requestSchema,
        responseSchema: binding.responseSchema,
        onTaskRequest: async (request, tasks) => {
          const signed = metrics.received(tasks.map((t) => t.taskIndex));
          const responses = await binding.respond(request, tasks);
          signed();
          return responses;
        },
        // A follower signs only tasks that exist on-chain with the payload it was given.
        validateTaskRequest: onChainTaskCheck(taskManager, {
          fromBlock: config.fromBlock,
          payloadHashesOf: (request) => request.payloads.map(binding.payloadHashOf),
        }),
        isValidOperator: (address) => chain.isValidOperator(address),
        fetchOperatorUrl: (address) => chain.fetchOperatorUrl(address),
        // Binds a join's operatorId to its signer (issue #17): the registry's address of that id.
        operatorAddressOf: async (operatorId) =>
          (await reader.getOperatorById(operatorId))?.address.toLowerCase(),
      },
      digest: { digestOf: binding.digestOf },
      config: {
        httpUrl: publicUrl,
        raftUrl: publicUrl,
        operatorId: keys.bls.operatorId,
        clusterId: config.cluster.id,
        ...engineConfig,
      },
      storage,
      transport,
      chain,
      logger: componentLogger(log, 'engine'),
      nodeFactory: createRaftNodeFactory({
        logger: componentLogger(log, 'raft'),
        wrap: (node) => countProposals(node, metrics),
      }),
      ...(batching === undefined ? {} : { batching }),
      aggregation: { maxConcurrentSubmissions },
    });
    engineRef = engine;

    engine.on('leader-change', ({ leaderId, term, isSelf }) => {
      metrics.leaderChanges.inc();
      log.info({ leaderId: leaderId || null, term, isSelf }, leaderId ? 'leader changed' : 'no leader');
    });
    const submittedGas = new SubmittedGas(
      async (txHash) => (await provider.getTransactionReceipt(txHash))?.gasUsed,
      (gas) => metrics.gasUsed.inc(gas),
      (error) => log.debug({ err: error }, 'receipt read failed'),
    );
    engine.on('task-updated', ({ task }) => {
      recent.push(task);
      if (recent.length > 200) recent.shift();
      metrics.taskUpdated(task);
      log.debug({ taskIndex: task.taskIndex, status: task.status, reason: task.reason }, 'task updated');
      if (task.status === 'submitted' && task.submission && engine.status().role === 'leader') {
        // Gas of what this operator submitted: one receipt read per transaction (a batch's tasks share one), leader only.
        submittedGas.submitted(task.submission.txHash);
      }
    });
    engine.on('request-refused', ({ requestId, reason }) => {
      metrics.tasks.inc({ stage: 'refused' });
      log.warn({ requestId, reason }, 'refused to sign a request');
    });
    engine.on('member-joined', ({ id, role }) => log.info({ member: id, role }, 'member joined'));
    engine.on('member-removed', ({ id, reason }) => log.warn({ member: id, reason }, 'member removed'));
    engine.on('member-demoted', ({ id, reason }) =>
      log.warn({ member: id, reason }, 'voter demoted to learner'),
    );
    engine.on('error', ({ error, context }) =>
      log.warn({ err: error, context }, `background error: ${context}`),
    );

    if (config.metrics.enabled) {
      mountNodeApi(transport.server.app, {
        nodeName: config.metrics.avsName,
        nodeVersion: options.version ?? '0.0.0',
        metrics,
        // /metrics shows term and commit: like /avs/v1/status it needs a session or the API token
        // (Prometheus: `authorization: { credentials_file }`). The node API's routes stay open.
        metricsAuth: operatorOrToken(transport.server, apiTokenOf(config), 0),
        services: [
          {
            id: 'raft',
            name: 'Raft consensus',
            description: 'membership in the operator cluster and a known leader',
            status: () => {
              const s = engine.status();
              if (s.closed) return 'Down';
              return s.started && s.leaderId ? 'Up' : 'Initializing';
            },
          },
          {
            id: 'ethereum-rpc',
            name: 'Ethereum JSON-RPC',
            description: 'the Ethereum node of rpcUrl',
            status: () =>
              provider.getBlockNumber().then(
                () => 'Up' as const,
                () => 'Down' as const,
              ),
          },
        ],
      });
    }

    mountOperatorRoutes(transport.server, {
      apiToken: apiTokenOf(config),
      payloadSchema: binding.payloadSchema,
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
      try {
        await engine.initializeRaftRpcServer(true);
      } catch (error) {
        // One cluster per AVS: a user mistake in one line (exit 2), with what to do instead.
        if (!(error instanceof ClusterExistsError)) throw error;
        throw new StartupCheckError(
          `cluster.bootstrap: ${error.message} (set cluster.joinUrl to ${error.foundNode}'s URL instead)`,
          { cause: error },
        );
      }
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
      metrics,
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
          stopRpcMetrics();
          provider.destroy();
        })();
        return closing;
      },
    };
  } catch (error) {
    await served?.close().catch(() => undefined);
    await storage?.close().catch(() => undefined);
    await pooled.close().catch(() => undefined);
    stopRpcMetrics();
    provider.destroy();
    throw error;
  }
}
