/**
 * An in-process chain for fast tests: an operator registry (keys, stake,
 * endpoints), a task manager that checks each response's BLS aggregate and
 * stake threshold the way the contract does and accepts exactly one response
 * per task, and a block counter. Not a substitute for the anvil tests.
 */
import {
  type BlsKeyPair,
  G1,
  type G1Point,
  type G2Point,
  g1FromJson,
  g2FromJson,
  type OperatorInfo,
  type OperatorSetState,
  type OperatorStateProvider,
  operatorIdFromPublicKey,
  trySignatureAndApkVerification,
} from '@avs/bls';
import { buildTaskBatch } from '@avs/bls/batch';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { SubmissionError } from '../errors.js';
import type { OperatorEndpoints } from '../ports/callbacks.js';
import type {
  BatchSubmission,
  EngineChain,
  RegistryEvent,
  RegistryEvents,
  SubmittedResponse,
  TaskSubmission,
  TaskSubmitter,
} from '../ports/chain-port.js';
import type { TaskMeta } from '../tasks/task-command.js';

/** A registered operator of the in-memory registry. */
export interface InMemoryChainOperator {
  readonly address: string;
  readonly operatorId: string;
  readonly publicKeyG1: G1Point;
  readonly publicKeyG2: G2Point;
  readonly stakes: ReadonlyMap<number, bigint>;
  readonly endpoints: OperatorEndpoints;
}

/** A response the in-memory task manager accepted. */
export interface AcceptedResponse extends SubmittedResponse {
  readonly taskIndex: number;
  readonly digest: string;
  readonly response: unknown;
}

/** Hooks tests use to stall or observe submissions. */
export interface InMemoryChainHooks {
  /** Awaited before a batch submission is checked. */
  beforeBatchLanding?: (batch: BatchSubmission) => Promise<void> | void;
  /** Awaited after a batch landed, before the submitter returns. */
  afterBatchLanding?: (batch: BatchSubmission) => Promise<void> | void;
  /** Awaited before a submission is checked. */
  beforeLanding?: (submission: TaskSubmission) => Promise<void> | void;
  /** Awaited after a submission landed, before the submitter returns. */
  afterLanding?: (submission: TaskSubmission) => Promise<void> | void;
}

/** The fake chain. One instance is shared by every engine of a test. */
export class InMemoryChain implements EngineChain {
  readonly chainId: number;
  readonly contractAddress: string;
  #block = 1;
  #nextTask = 1;
  readonly #operators = new Map<string, InMemoryChainOperator>();
  readonly #tasks = new Map<number, { meta: Omit<TaskMeta, 'expiresAtMs'> }>();
  readonly #responses = new Map<number, AcceptedResponse>();
  /** Submissions refused because the task already had a response (double-submission attempts). */
  duplicateSubmissions = 0;
  /** Submissions refused for a bad aggregate or stake. */
  invalidSubmissions = 0;
  /** Batches that landed (one transaction each). */
  batchSubmissions = 0;
  /** `findResponse` calls (on-chain lookups of an answer). */
  responseLookups = 0;
  readonly hooks: InMemoryChainHooks = {};
  readonly #registryListeners = new Set<(event: RegistryEvent) => void>();
  /**
   * The registry's events (register, deregister, stake and endpoint changes, delivered on the next microtask) when
   * constructed with `registryEvents: true`; else undefined, as for a chain without them.
   */
  readonly registryEvents: RegistryEvents | undefined;

  #emitRegistry(event: RegistryEvent): void {
    for (const listener of this.#registryListeners) queueMicrotask(() => listener(event));
  }

  readonly submitter: TaskSubmitter;

  /**
   * @param options.batchCall give the submitter a `submitBatch` (like `respondToBatch`): checks the
   *   aggregate once over the batch digest, answers every task or none
   */
  constructor(
    options: {
      chainId?: number;
      contractAddress?: string;
      registryEvents?: boolean;
      batchCall?: boolean;
    } = {},
  ) {
    this.registryEvents = options.registryEvents
      ? {
          watch: (listener) => {
            this.#registryListeners.add(listener);
            return () => this.#registryListeners.delete(listener);
          },
        }
      : undefined;
    this.chainId = options.chainId ?? 31337;
    this.contractAddress = options.contractAddress ?? '0x00000000000000000000000000000000000a5a5a';
    const single: TaskSubmitter = {
      submitResponse: async (s) => {
        await this.hooks.beforeLanding?.(s);
        const landed = this.#land(s);
        await this.hooks.afterLanding?.(s);
        return landed;
      },
      findResponse: async (taskIndex) => {
        this.responseLookups++;
        const r = this.#responses.get(taskIndex);
        return r === undefined ? undefined : { txHash: r.txHash, blockNumber: r.blockNumber ?? 0 };
      },
    };
    this.submitter = options.batchCall
      ? {
          ...single,
          submitBatch: async (b) => {
            await this.hooks.beforeBatchLanding?.(b);
            const landed = this.#landBatch(b);
            await this.hooks.afterBatchLanding?.(b);
            return landed;
          },
        }
      : single;
  }

  async latestBlock(): Promise<number> {
    return this.#block;
  }

  /** Mines `n` empty blocks. */
  mine(n = 1): number {
    this.#block += n;
    return this.#block;
  }

  /**
   * Registers an operator with its BLS key, stake per quorum and endpoints.
   * @throws Error when the address or an endpoint is already registered by another operator
   */
  registerOperator(options: {
    address: string;
    blsKey: BlsKeyPair;
    stakes?: Readonly<Record<number, bigint>>;
    endpoints: OperatorEndpoints;
  }): InMemoryChainOperator {
    const address = options.address.toLowerCase();
    for (const op of this.#operators.values()) {
      if (op.address === address) continue;
      if (
        op.endpoints.httpUrl === options.endpoints.httpUrl ||
        op.endpoints.raftUrl === options.endpoints.raftUrl
      ) {
        throw new Error(`endpoint already registered by ${op.address}`);
      }
    }
    const operator: InMemoryChainOperator = {
      address,
      operatorId: operatorIdFromPublicKey(options.blsKey.publicKeyG1),
      publicKeyG1: options.blsKey.publicKeyG1,
      publicKeyG2: options.blsKey.publicKeyG2,
      stakes: new Map(Object.entries(options.stakes ?? { 0: 100n }).map(([q, s]) => [Number(q), s])),
      endpoints: options.endpoints,
    };
    const known = this.#operators.has(address);
    this.#operators.set(address, operator);
    this.mine();
    this.#emitRegistry(
      known
        ? { kind: 'endpoints-changed', operatorId: operator.operatorId }
        : { kind: 'registered', address, operatorId: operator.operatorId },
    );
    return operator;
  }

  /** Changes a registered operator's endpoints (emits `endpoints-changed`). */
  updateEndpoints(address: string, endpoints: OperatorEndpoints): void {
    const op = this.#operators.get(address.toLowerCase());
    if (!op) throw new Error(`${address} is not registered`);
    this.#operators.set(op.address, { ...op, endpoints });
    this.mine();
    this.#emitRegistry({ kind: 'endpoints-changed', operatorId: op.operatorId });
  }

  /** Sets an operator's stake in one quorum (e.g. 0n: withdrawn). */
  setStake(address: string, quorumNumber: number, stake: bigint): void {
    const op = this.#operators.get(address.toLowerCase());
    if (!op) throw new Error(`${address} is not registered`);
    const stakes = new Map(op.stakes);
    stakes.set(quorumNumber, stake);
    this.#operators.set(op.address, { ...op, stakes });
    this.#emitRegistry({ kind: 'stake-changed', operatorId: op.operatorId });
  }

  /** Delivers `event` as if the registry had emitted it (a forged or stale event, for tests). */
  emitRegistryEvent(event: RegistryEvent): void {
    this.#emitRegistry(event);
  }

  /** The registered address of `operatorId` (the engine's `operatorAddressOf` callback). */
  operatorAddressOf(operatorId: string): string | undefined {
    const id = operatorId.toLowerCase();
    for (const op of this.#operators.values()) if (op.operatorId.toLowerCase() === id) return op.address;
    return undefined;
  }

  deregisterOperator(address: string): void {
    const op = this.#operators.get(address.toLowerCase());
    this.#operators.delete(address.toLowerCase());
    this.mine();
    if (op) this.#emitRegistry({ kind: 'deregistered', address: op.address, operatorId: op.operatorId });
  }

  isValidOperator(address: string): boolean {
    return this.#operators.has(address.toLowerCase());
  }

  operator(address: string): InMemoryChainOperator | undefined {
    return this.#operators.get(address.toLowerCase());
  }

  /** @throws Error for an unregistered operator */
  fetchOperatorUrl(address: string): OperatorEndpoints {
    const op = this.#operators.get(address.toLowerCase());
    if (!op) throw new Error(`${address} is not registered`);
    return op.endpoints;
  }

  /** Creates tasks in one block: they share the reference block, as `createNewTasks` does on-chain. */
  createTasks(
    specs: readonly { quorumNumbers?: number[]; thresholdPercentages?: number[] }[],
  ): Omit<TaskMeta, 'expiresAtMs'>[] {
    const metas = specs.map((options) => {
      const meta = {
        taskIndex: this.#nextTask++,
        referenceBlock: this.#block - 1,
        quorumNumbers: options.quorumNumbers ?? [0],
        thresholdPercentages: options.thresholdPercentages ?? [67],
      };
      this.#tasks.set(meta.taskIndex, { meta });
      return meta;
    });
    this.mine();
    return metas;
  }

  /** Creates a task at the current block (reference block = the previous one). */
  createTask(
    options: { quorumNumbers?: number[]; thresholdPercentages?: number[] } = {},
  ): Omit<TaskMeta, 'expiresAtMs'> {
    return this.createTasks([options])[0]!;
  }

  /** The on-chain task, if created. */
  task(taskIndex: number): Omit<TaskMeta, 'expiresAtMs'> | undefined {
    return this.#tasks.get(taskIndex)?.meta;
  }

  /** The accepted response of a task. */
  response(taskIndex: number): AcceptedResponse | undefined {
    return this.#responses.get(taskIndex);
  }

  /** Every accepted response. */
  responses(): AcceptedResponse[] {
    return [...this.#responses.values()];
  }

  readonly operatorState: OperatorStateProvider = {
    getOperatorState: async (_block, quorumNumbers): Promise<OperatorSetState> => {
      const operators: OperatorInfo[] = [...this.#operators.values()].map((o) => ({
        operatorId: o.operatorId as `0x${string}`,
        publicKeyG1: o.publicKeyG1,
        publicKeyG2: o.publicKeyG2,
        stakes: o.stakes,
      }));
      return {
        operators,
        quorums: quorumNumbers.map((q) => ({
          quorumNumber: q,
          totalStake: operators.reduce((sum, o) => sum + (o.stakes.get(q) ?? 0n), 0n),
        })),
      };
    },
  };

  #land(s: TaskSubmission): SubmittedResponse {
    const task = this.#tasks.get(s.taskIndex);
    if (!task) throw new SubmissionError(`task ${s.taskIndex} does not exist`, true);
    if (this.#responses.has(s.taskIndex)) {
      this.duplicateSubmissions++;
      throw new SubmissionError(`task ${s.taskIndex} already has a response`, true, {
        alreadyResponded: true,
      });
    }
    this.#checkAggregate(task.meta, s.digest, s.proof, `task ${s.taskIndex}`);
    const blockNumber = this.mine();
    const txHash = `0x${bytesToHex(keccak_256(utf8ToBytes(`task:${s.taskIndex}:${blockNumber}`)))}`;
    this.#responses.set(s.taskIndex, {
      taskIndex: s.taskIndex,
      digest: s.digest,
      response: s.response,
      txHash,
      blockNumber,
    });
    return { txHash, blockNumber };
  }

  /** `respondToBatch`: the digest must be the batch's, every task unanswered; one check for all. */
  #landBatch(b: BatchSubmission): SubmittedResponse {
    const metas = b.items.map((item) => {
      const task = this.#tasks.get(item.taskIndex);
      if (!task) throw new SubmissionError(`task ${item.taskIndex} does not exist`, true);
      if (this.#responses.has(item.taskIndex)) {
        this.duplicateSubmissions++;
        throw new SubmissionError(`task ${item.taskIndex} already has a response`, true, {
          alreadyResponded: true,
        });
      }
      return task.meta;
    });
    let batch: ReturnType<typeof buildTaskBatch>;
    try {
      batch = buildTaskBatch(
        b.items.map((item, i) => ({
          taskIndex: item.taskIndex,
          referenceBlock: metas[i]!.referenceBlock,
          quorumNumbers: metas[i]!.quorumNumbers,
          thresholdPercentages: metas[i]!.thresholdPercentages,
          responseDigest: item.digest,
        })),
      );
    } catch (cause) {
      this.invalidSubmissions++;
      throw new SubmissionError(`batch ${b.batchId}: ${(cause as Error).message}`, true, { cause });
    }
    if (batch.digest !== b.digest.toLowerCase()) {
      this.invalidSubmissions++;
      throw new SubmissionError(`batch ${b.batchId}: the aggregate does not sign the batch digest`, true);
    }
    this.#checkAggregate(batch, batch.digest, b.proof, `batch ${b.batchId}`);
    const blockNumber = this.mine();
    const txHash = `0x${bytesToHex(keccak_256(utf8ToBytes(`batch:${b.batchId}:${blockNumber}`)))}`;
    for (const item of b.items) {
      this.#responses.set(item.taskIndex, {
        taskIndex: item.taskIndex,
        digest: item.digest,
        response: item.response,
        txHash,
        blockNumber,
      });
    }
    this.batchSubmissions++;
    return { txHash, blockNumber };
  }

  /** Checks signed stake against the thresholds and the aggregate signature over `digest`. */
  #checkAggregate(
    meta: { readonly quorumNumbers: readonly number[]; readonly thresholdPercentages: readonly number[] },
    digest: string,
    proof: TaskSubmission['proof'],
    what: string,
  ): void {
    const { quorumNumbers, thresholdPercentages } = meta;
    const nonSigners = new Set(proof.nonSignerOperatorIds.map((id) => id.toLowerCase()));
    // As the on-chain checker: the aggregate key sums each quorum's signers (an operator in two
    // quorums counts twice, and so does its signature in the aggregate).
    let apk = G1.ZERO;
    for (const [i, q] of quorumNumbers.entries()) {
      const members = [...this.#operators.values()].filter((o) => o.stakes.has(q));
      const total = members.reduce((sum, o) => sum + (o.stakes.get(q) ?? 0n), 0n);
      let signed = 0n;
      for (const o of members) {
        if (nonSigners.has(o.operatorId)) continue;
        signed += o.stakes.get(q) ?? 0n;
        apk = apk.add(o.publicKeyG1);
      }
      if (signed * 100n < total * BigInt(thresholdPercentages[i] ?? 100)) {
        this.invalidSubmissions++;
        throw new SubmissionError(
          `quorum ${q}: signed stake ${signed} of ${total} is below the threshold`,
          true,
        );
      }
    }
    const check = trySignatureAndApkVerification(
      digest as `0x${string}`,
      apk,
      g2FromJson(proof.signersApkG2),
      g1FromJson(proof.signersAggSigG1),
    );
    if (!check.signatureIsValid) {
      this.invalidSubmissions++;
      throw new SubmissionError(`${what}: the aggregate signature does not verify`, true);
    }
  }
}
