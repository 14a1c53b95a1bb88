/**
 * In-process clusters of engines for the scenario tests: memory storage, the
 * in-memory engine network, the in-memory chain, one ManualClock for all.
 */
import { BlsKeyPair } from '@avs/bls';
import { ManualClock, MemoryStorage } from '@avs/raft-core';
import { z } from 'zod';
import {
  type BatchingOptions,
  createMemoryEngineNetwork,
  createTaskConsensusEngine,
  type EngineTransport,
  InMemoryChain,
  type MemoryEngineNetwork,
  memoryUrl,
  type OperatorRaftConfig,
  type TaskConsensusCallbacks,
  type TaskConsensusEngine,
} from '../../src/index.js';
import { addressOfKey, squareDigest, testJoinAuth } from './test-keys.js';
import { drive, waitFor } from './wait-for.js';

/** The squaring AVS of the README: the response is the number and its square. */
export const squareRequest = z.object({ numberToBeSquared: z.number().int().nonnegative() });
export type SquareRequest = z.infer<typeof squareRequest>;
export const squareResponse = z.object({
  taskIndex: z.number().int().nonnegative(),
  number: z.number().int().nonnegative(),
  numberSquared: z.string().regex(/^\d+$/),
});
export type SquareResponse = z.infer<typeof squareResponse>;

/** The squaring AVS's callbacks: every operator answers each task with the square; the chain is the registry. */
export function squareCallbacks(chain: InMemoryChain): TaskConsensusCallbacks<SquareRequest, SquareResponse> {
  return {
    requestSchema: squareRequest,
    responseSchema: squareResponse,
    onTaskRequest: (request, tasks) =>
      tasks.map((t) => ({
        taskIndex: t.taskIndex,
        number: request.numberToBeSquared,
        numberSquared: String(BigInt(request.numberToBeSquared) ** 2n),
      })),
    isValidOperator: (address) => chain.isValidOperator(address),
    operatorAddressOf: (id) => chain.operatorAddressOf(id),
    fetchOperatorUrl: (address) => chain.fetchOperatorUrl(address),
  };
}

export interface Operator {
  readonly index: number;
  readonly ecdsaKey: string;
  readonly address: string;
  readonly bls: BlsKeyPair;
  storage: MemoryStorage;
  engine: TaskConsensusEngine<SquareRequest, SquareResponse>;
}

export interface ClusterOptions {
  readonly size: number;
  readonly thresholdPercentage?: number;
  /** Register every operator but only start the first `started` (default all). */
  readonly started?: number;
  readonly snapshotEntries?: number;
  readonly callbacks?: Partial<TaskConsensusCallbacks<SquareRequest, SquareResponse>>;
  /** The in-memory chain emits registry events (membership then follows them). */
  readonly registryEvents?: boolean;
  /** Engine settings over the cluster's defaults. */
  readonly config?: Partial<OperatorRaftConfig>;
  /** Pack requests into batches; the in-memory chain then has a batch call. */
  readonly batching?: BatchingOptions;
  /** Stake per quorum of operator i (default 100 in quorum 0). */
  readonly stakesOf?: (index: number) => Record<number, bigint>;
  /** The key an operator's engine signs with (default its registered one). */
  readonly signingKeyOf?: (op: Operator) => BlsKeyPair;
  /** Wraps an operator's transport (a path attacker between it and the cluster). */
  readonly transportOf?: (op: Operator, transport: EngineTransport) => EngineTransport;
}

export const ecdsaKeyOf = (i: number) => `0x${(i + 1).toString(16).padStart(64, '0')}`;

export class Cluster {
  readonly clock = new ManualClock();
  readonly net: MemoryEngineNetwork = createMemoryEngineNetwork({ clock: this.clock });
  readonly chain: InMemoryChain;
  readonly operators: Operator[] = [];
  readonly errors: { context: string; error: unknown }[] = [];

  constructor(readonly options: ClusterOptions) {
    this.chain = new InMemoryChain({
      registryEvents: options.registryEvents ?? false,
      batchCall: options.batching !== undefined,
    });
    for (let i = 0; i < options.size; i++) {
      const ecdsaKey = ecdsaKeyOf(i);
      const address = addressOfKey(ecdsaKey);
      const bls = BlsKeyPair.fromSecretKey(BigInt(1_000 + i));
      this.chain.registerOperator({
        address,
        blsKey: bls,
        ...(options.stakesOf ? { stakes: options.stakesOf(i) } : {}),
        endpoints: { httpUrl: memoryUrl(address), raftUrl: memoryUrl(address) },
      });
      const op = { index: i, ecdsaKey, address, bls, storage: new MemoryStorage() } as Operator;
      op.engine = this.makeEngine(op);
      this.operators.push(op);
    }
  }

  /** Creates (not starts) the engine of an operator over its current storage. */
  makeEngine(op: Operator): TaskConsensusEngine<SquareRequest, SquareResponse> {
    const chain = this.chain;
    const engine = createTaskConsensusEngine<SquareRequest, SquareResponse>({
      blsKey: this.options.signingKeyOf?.(op) ?? op.bls,
      ...(this.options.batching ? { batching: this.options.batching } : {}),
      joinAuth: testJoinAuth(op.ecdsaKey),
      callbacks: { ...squareCallbacks(chain), ...this.options.callbacks },
      digest: { digestOf: squareDigest },
      config: {
        httpUrl: memoryUrl(op.address),
        raftUrl: memoryUrl(op.address),
        operatorId: op.bls.operatorId,
        clusterId: 'test-cluster',
        taskTimeoutMs: 60_000,
        requestTimeoutMs: 1_000,
        retryBaseMs: 20,
        retryMaxMs: 200,
        promoteTimeoutMs: 5_000,
        membershipCheckIntervalMs: 0,
        raft: {
          tickMs: 10,
          electionTick: 10,
          heartbeatTick: 1,
          proposalTimeoutMs: 2_000,
          readIndexTimeoutMs: 1_000,
          confChangeTimeoutMs: 3_000,
          ...(this.options.snapshotEntries === undefined
            ? {}
            : { snapshotEntries: this.options.snapshotEntries, snapshotTrailingEntries: 2 }),
        },
        ...this.options.config,
      },
      storage: op.storage,
      transport:
        this.options.transportOf?.(op, this.net.endpoint(op.address)) ?? this.net.endpoint(op.address),
      chain,
      clock: this.clock,
    });
    engine.on('error', (e) => this.errors.push(e));
    return engine;
  }

  /** Bootstraps operator 0 and joins the others (up to `started`) through it. */
  async start(): Promise<void> {
    const first = this.operators[0]!;
    await first.engine.initializeRaftRpcServer(true, first.bls.operatorId);
    await this.waitFor(() => first.engine.status().role === 'leader', 'the founder to lead');
    await this.waitFor(
      () => first.engine.status().voters.length === 1 && this.memberKnown(first),
      'founder metadata',
    );
    const started = this.options.started ?? this.options.size;
    for (const op of this.operators.slice(1, started)) {
      const result = await this.drive(
        op.engine.joinExistingOperatorCluster(memoryUrl(first.address)),
        `join of ${op.index}`,
      );
      // Beyond maxVoters (default 5) an operator stays a learner.
      if (result.role !== 'voter' && op.index < (this.options.config?.maxVoters ?? 5)) {
        throw new Error(`operator ${op.index} joined as ${result.role}`);
      }
    }
  }

  memberKnown(op: Operator): boolean {
    return op.engine.status().members.includes(op.address);
  }

  /** The operators whose engines are running. */
  running(): Operator[] {
    return this.operators.filter((o) => o.engine.status().started && !o.engine.status().closed);
  }

  /** The running engine that leads, if exactly one claims to. */
  leader(): Operator | undefined {
    const leaders = this.running().filter((o) => o.engine.status().role === 'leader');
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  byAddress(address: string): Operator {
    const op = this.operators.find((o) => o.address === address);
    if (!op) throw new Error(`no operator ${address}`);
    return op;
  }

  /** Creates on-chain tasks and sends one request for them through the leader. */
  async sendRequest(n: number, taskCount = 1): Promise<{ requestId: string; taskIndexes: number[] }> {
    const leader = this.leader();
    if (!leader) throw new Error('no leader');
    const threshold = this.options.thresholdPercentage ?? 67;
    const tasks = Array.from({ length: taskCount }, () =>
      this.chain.createTask({ thresholdPercentages: [threshold] }),
    );
    return this.drive(
      leader.engine.leaderSendTaskRequestToFollowers({ numberToBeSquared: n }, tasks),
      'request',
    );
  }

  waitFor(condition: () => boolean, what: string, maxSteps?: number): Promise<void> {
    return waitFor(this.clock, condition, { what, ...(maxSteps === undefined ? {} : { maxSteps }) });
  }

  drive<V>(promise: Promise<V>, what: string): Promise<V> {
    return drive(this.clock, promise, { what });
  }

  /** Closes an engine as a crash would leave things: its storage survives. */
  async kill(op: Operator): Promise<void> {
    this.net.isolate(op.address);
    await this.drive(op.engine.close(), `close ${op.index}`);
  }

  /** Restarts an operator's engine over the same storage. */
  async restart(op: Operator): Promise<void> {
    this.net.heal();
    op.engine = this.makeEngine(op);
    await this.drive(op.engine.initializeRaftRpcServer(false), `restart ${op.index}`);
  }

  async close(): Promise<void> {
    for (const op of this.operators) await op.engine.close().catch(() => {});
  }
}
