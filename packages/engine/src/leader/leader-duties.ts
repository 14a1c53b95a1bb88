/**
 * What the leader does, and a new leader resumes: aggregate each pending
 * task's signatures (the engine initialises the aggregation itself), accept
 * signed responses only from current members for known, open tasks (the
 * digest is recomputed here, never taken from the sender), replicate the
 * aggregate (`task.aggregated`) before submitting it, submit through the
 * {@link TaskSubmitter} after checking that the task has no response on-chain
 * yet, and record the outcome (`task.submitted`, `task.expired`, `task.failed`).
 *
 * Everything is scoped to one leadership term: on a change of leader the
 * aggregation service is closed, and the next leader starts from the
 * replicated state.
 */

import { g1ToJson, g2ToJson } from '@avs/bls';
import {
  type AggregatedResult,
  type AggregationResult,
  BlsAggregationService,
  type OperatorStateProvider,
} from '@avs/bls/aggregation';
import pLimit, { type LimitFunction } from 'p-limit';
import type { EngineContext } from '../engine-context.js';
import {
  EngineConfigError,
  EngineError,
  EngineNotLeaderError,
  ResponseRefusedError,
  SubmissionError,
} from '../errors.js';
import type { ProcessedResponse, TaskConsensusCallbacks } from '../ports/callbacks.js';
import {
  type ResponseVerdict,
  type SubmitResponsesResult,
  signedBatchResponseWireSchema,
  signedTaskResponseWireSchema,
} from '../ports/wire.js';
import type { AggregateProof, TaskCommand } from '../tasks/task-command.js';
import type { BatchRecord, RequestRecord, TaskRecord } from '../tasks/task-state.js';
import { backoffMs, sleep, WORK_ITEMS_PER_TURN, yieldToEventLoop } from '../waiting.js';
import { BatchAggregation } from './batch-duties.js';
import { CoalescedBarrier } from './coalesced-barrier.js';

/** Options of the leader's aggregation. */
export interface AggregationOptions {
  /** Operator keys and stakes; default the chain's. */
  readonly operatorState?: OperatorStateProvider;
  /** Invalid signatures per operator and task before it is ignored. Default 3. */
  readonly maxInvalidSignaturesPerOperator?: number;
  /**
   * How long an aggregate that reached its threshold waits for others before one shared
   * pairing check, in ms (the aggregation service's `verificationDelayMs`). Default 5: under
   * load, responses of many tasks arrive in separate requests, and checking each task's
   * aggregate alone costs a pairing per task.
   */
  readonly verificationDelayMs?: number;
  /**
   * On-chain submissions in progress at once (each reads the chain and sends one transaction
   * from the leader's account); the others wait their turn, oldest first. A positive integer;
   * default 8.
   */
  readonly maxConcurrentSubmissions?: number;
}

function proofOf(r: AggregatedResult): AggregateProof {
  return {
    nonSignerPublicKeysG1: r.nonSignerPublicKeysG1.map(g1ToJson),
    nonSignerOperatorIds: r.nonSignerOperatorIds,
    quorumApksG1: r.quorumApksG1.map(g1ToJson),
    signersApkG2: (({ X, Y }) => ({
      X: [X[0], X[1]] as [string, string],
      Y: [Y[0], Y[1]] as [string, string],
    }))(g2ToJson(r.signersApkG2)),
    signersAggSigG1: g1ToJson(r.signersAggSigG1),
    totalStakePerQuorum: r.totalStakePerQuorum.map(String),
  };
}

interface Term {
  readonly term: number;
  readonly service: BlsAggregationService;
  readonly inits: Map<number, Promise<void>>;
  /** Responses (K) by task and digest, to replicate the one that reaches the threshold. */
  readonly responses: Map<number, Map<string, unknown>>;
  readonly submitting: Set<number>;
  /** The `aggregatedAtMs` of the aggregates this term proposed, by task (their submission skips the lookup). */
  readonly aggregatedHere: Map<number, number>;
  /** Batches: their own aggregation service (batch ids are log indexes, not task indexes). */
  readonly batches: BatchAggregation<unknown, unknown>;
  active: boolean;
}

export class LeaderDuties<T, K> {
  #current: Term | undefined;
  /**
   * At most `maxConcurrentSubmissions` (default 8) submissions talk to the chain at once; the others
   * wait their turn, oldest first: every aggregated task submitting at once (several RPC calls each,
   * one signer's transactions) congests the node and lowers the rate of responses that land.
   */
  readonly #chainLimit: LimitFunction;
  /** Leadership confirmations before submitting: concurrent submissions share one readIndex round. */
  readonly #confirmed = new CoalescedBarrier(() => this.core.node().readIndex());

  constructor(
    private readonly core: EngineContext,
    private readonly callbacks: TaskConsensusCallbacks<T, K>,
    private readonly process: (response: K) => Promise<ProcessedResponse>,
    private readonly options: AggregationOptions,
  ) {
    const max = options.maxConcurrentSubmissions ?? 8;
    if (!Number.isInteger(max) || max < 1) {
      throw new EngineConfigError(`maxConcurrentSubmissions must be a positive integer, got ${max}`);
    }
    this.#chainLimit = pLimit(max);
  }

  /** Whether this node is acting as leader (for the given term, if any). */
  get activeTerm(): number | undefined {
    return this.#current?.active ? this.#current.term : undefined;
  }

  /** Called on every leader change. */
  onLeadershipChange(isLeader: boolean, term: number): void {
    if (isLeader && this.#current?.term === term && this.#current.active) return;
    this.#stop();
    if (isLeader) void this.#start(term);
  }

  close(): void {
    this.#stop();
  }

  onRequestCreated(record: RequestRecord): void {
    const t = this.#current;
    if (!t?.active || record.batchId !== undefined) return;
    for (const i of record.taskIndexes) {
      const task = this.core.state.task(i);
      if (task?.status === 'pending') this.#init(t, task);
    }
  }

  onBatchCreated(batch: BatchRecord): void {
    const t = this.#current;
    if (t?.active) t.batches.init(batch);
  }

  onTaskUpdated(task: TaskRecord): void {
    const t = this.#current;
    if (!t?.active || task.status !== 'aggregated') return;
    if (task.batchId === undefined) void this.#submit(t, task.taskIndex);
    else void t.batches.submit(task.batchId);
  }

  /** After a snapshot was restored on the leader (rare): pick up whatever is in flight. */
  resume(): void {
    const t = this.#current;
    if (t?.active) this.#resume(t);
  }

  /**
   * Judges a member's signed responses, item by item.
   * @throws EngineNotLeaderError off the leader; ResponseRefusedError for a submission refused as a whole
   */
  async acceptResponses(peer: string, body: unknown): Promise<SubmitResponsesResult> {
    const t = this.#current;
    if (!t?.active) throw new EngineNotLeaderError(this.core.leaderId(), 'submitting task responses');
    const conf = this.core.node().status().config;
    if (!conf.voters.includes(peer) && !conf.learners.includes(peer)) {
      throw new ResponseRefusedError('NOT_MEMBER', `${peer} is not a member of the cluster`);
    }
    if (typeof body === 'object' && body !== null && 'batchId' in body) {
      return this.#acceptBatch(t, peer, body);
    }
    const wire = signedTaskResponseWireSchema.safeParse(body);
    if (!wire.success) {
      throw new ResponseRefusedError(
        'MALFORMED',
        `expected a signed task response: ${wire.error.issues[0]?.message}`,
      );
    }
    const s = wire.data;
    this.#checkOperator(peer, s.operatorId);
    const record = this.core.state.request(s.requestId);
    const verdicts: ResponseVerdict[] = [];
    for (const [item, raw] of s.taskResponse.entries()) {
      if (item > 0 && item % WORK_ITEMS_PER_TURN === 0) await yieldToEventLoop();
      verdicts.push(await this.#judge(t, record, s.requestId, s.operatorId, item, raw, s.blsSignature[item]));
    }
    return { leaderId: this.core.id, term: t.term, verdicts };
  }

  /** @throws ResponseRefusedError when `operatorId` is not the one `peer` joined with */
  #checkOperator(peer: string, operatorId: string): void {
    const expected = peer === this.core.id ? this.core.operatorId : this.core.state.member(peer)?.operatorId;
    if (expected === undefined || expected.toLowerCase() !== operatorId.toLowerCase()) {
      throw new ResponseRefusedError(
        'OPERATOR_MISMATCH',
        `operatorId ${operatorId} is not the one ${peer} joined with`,
      );
    }
  }

  async #acceptBatch(t: Term, peer: string, body: unknown): Promise<SubmitResponsesResult> {
    const wire = signedBatchResponseWireSchema.safeParse(body);
    if (!wire.success) {
      throw new ResponseRefusedError(
        'MALFORMED',
        `expected a signed batch response: ${wire.error.issues[0]?.message}`,
      );
    }
    this.#checkOperator(peer, wire.data.operatorId);
    const verdicts = await t.batches.judge(wire.data.operatorId, wire.data);
    return { leaderId: this.core.id, term: t.term, verdicts };
  }

  async #judge(
    t: Term,
    record: RequestRecord | undefined,
    requestId: string,
    operatorId: string,
    item: number,
    raw: unknown,
    signature: unknown,
  ): Promise<ResponseVerdict> {
    const refuse = (code: string, message: string, taskIndex?: number): ResponseVerdict => ({
      item,
      accepted: false,
      code: `RESPONSE_${code}`,
      message,
      ...(taskIndex === undefined ? {} : { taskIndex }),
    });
    if (!record) return refuse('UNKNOWN_REQUEST', `request ${requestId} is not known (yet)`);
    const parsed = this.callbacks.responseSchema.safeParse(raw);
    if (!parsed.success) return refuse('MALFORMED', 'the response does not match responseSchema');
    let processed: ProcessedResponse;
    try {
      processed = await this.process(parsed.data);
    } catch {
      return refuse('MALFORMED', 'the response could not be mapped to a task and digest');
    }
    const { taskIndex, digest } = processed;
    if (!record.taskIndexes.includes(taskIndex)) {
      return refuse('UNKNOWN_TASK', `task ${taskIndex} is not part of request ${requestId}`, taskIndex);
    }
    const task = this.core.state.task(taskIndex);
    if (task?.status !== 'pending') {
      return refuse('TASK_FINAL', `task ${taskIndex} is ${task?.status ?? 'unknown'}`, taskIndex);
    }
    if (task.batchId !== undefined) {
      return refuse('UNKNOWN_TASK', `task ${taskIndex} is answered in batch ${task.batchId}`, taskIndex);
    }
    this.#init(t, task);
    try {
      await t.inits.get(taskIndex);
      await t.service.processSignature({
        taskIndex,
        digest,
        signature: signature as never,
        operatorId,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : 'refused';
      return refuse('SIGNATURE_REFUSED', message, taskIndex);
    }
    let byDigest = t.responses.get(taskIndex);
    if (!byDigest) {
      byDigest = new Map();
      t.responses.set(taskIndex, byDigest);
    }
    if (!byDigest.has(digest.toLowerCase())) byDigest.set(digest.toLowerCase(), parsed.data);
    return { item, taskIndex, accepted: true };
  }

  #newService(kind: 'task' | 'batch'): BlsAggregationService {
    const service = new BlsAggregationService({
      operatorState: this.options.operatorState ?? this.core.chain.operatorState,
      clock: this.core.clock,
      verificationDelayMs: this.options.verificationDelayMs ?? 5,
      ...(this.options.maxInvalidSignaturesPerOperator === undefined
        ? {}
        : { maxInvalidSignaturesPerOperator: this.options.maxInvalidSignaturesPerOperator }),
    });
    // Signatures that passed the optimistic checks but failed the aggregate's (found by bisection).
    service.onInvalidSignature((r) =>
      this.core.emit('invalid-signature', {
        operatorId: r.operatorId,
        digest: r.digest,
        ...(kind === 'batch' ? { batchId: r.taskIndex } : { taskIndex: r.taskIndex }),
      }),
    );
    return service;
  }

  async #start(term: number): Promise<void> {
    const service = this.#newService('task');
    const t: Term = {
      term,
      service,
      inits: new Map(),
      responses: new Map(),
      submitting: new Set(),
      aggregatedHere: new Map(),
      active: true,
      // Closures below run only after `t` exists.
      batches: new BatchAggregation(
        {
          core: this.core,
          service: this.#newService('batch'),
          isActive: () => t.active,
          propose: (command) => this.#propose(t, command),
          confirmed: () => this.#confirmed.wait(),
          chainLimit: this.#chainLimit,
          proofOf,
        },
        this.callbacks as TaskConsensusCallbacks<unknown, unknown>,
        this.process as (response: unknown) => Promise<ProcessedResponse>,
      ),
    };
    this.#current = t;
    service.onResult((r) => {
      try {
        this.#onResult(t, r);
      } catch (error) {
        this.core.reportError(error, 'aggregation result');
      }
    });
    // Confirm leadership and see every entry committed before this term before resuming.
    for (let attempt = 1; t.active; attempt++) {
      try {
        await this.core.node().readIndex();
        break;
      } catch {
        await sleep(
          this.core.clock,
          backoffMs(attempt, this.core.config.retryBaseMs, this.core.config.retryMaxMs),
        );
      }
    }
    if (t.active) this.#resume(t);
    void this.#pollBlocks(t);
  }

  /** Feeds the aggregation service the latest block while a task of this term expires by block. */
  async #pollBlocks(t: Term): Promise<void> {
    const every = this.core.config.blockPollMs;
    if (every === 0) return;
    while (t.active) {
      await sleep(this.core.clock, every);
      if (!t.active || !this.core.state.inFlight().some((task) => task.meta.expiresAtBlock !== undefined))
        continue;
      try {
        const block = await this.core.chain.latestBlock();
        t.service.observeBlock(block);
        t.batches.observeBlock(block);
      } catch (error) {
        this.core.reportError(error, 'reading the latest block');
      }
    }
  }

  #resume(t: Term): void {
    for (const task of this.core.state.inFlight()) {
      if (task.batchId !== undefined) {
        const batch = this.core.state.batch(task.batchId);
        if (batch) t.batches.resume(batch);
      } else if (task.status === 'pending') this.#init(t, task);
      else if (task.status === 'aggregated') void this.#submit(t, task.taskIndex);
    }
  }

  #stop(): void {
    const t = this.#current;
    if (!t) return;
    t.active = false;
    this.#current = undefined;
    t.service.close();
    t.batches.close();
  }

  #init(t: Term, task: TaskRecord): void {
    if (t.inits.has(task.taskIndex)) return;
    const remaining = Math.ceil(task.meta.expiresAtMs - this.core.clock.now());
    if (remaining <= 0) {
      t.inits.set(task.taskIndex, Promise.resolve());
      void this.#propose(t, {
        type: 'task.expired',
        taskIndex: task.taskIndex,
        reason: 'expired before aggregation',
      });
      return;
    }
    const init = t.service
      .initializeTask({
        taskIndex: task.taskIndex,
        referenceBlock: task.meta.referenceBlock,
        quorumNumbers: task.meta.quorumNumbers,
        thresholdPercentages: task.meta.thresholdPercentages,
        expiry: {
          afterMs: remaining,
          ...(task.meta.expiresAtBlock === undefined ? {} : { atBlock: task.meta.expiresAtBlock }),
        },
      })
      .catch((error: unknown) => {
        if (!t.active) return;
        this.core.reportError(error, `initialising aggregation of task ${task.taskIndex}`);
        void this.#propose(t, {
          type: 'task.failed',
          taskIndex: task.taskIndex,
          reason:
            `aggregation could not start: ${error instanceof Error ? error.message : String(error)}`.slice(
              0,
              1000,
            ),
        });
      });
    t.inits.set(task.taskIndex, init);
  }

  #onResult(t: Term, r: AggregationResult): void {
    if (!t.active) return;
    if (r.status === 'expired') {
      if (r.reason === 'closed') return;
      void this.#propose(t, {
        type: 'task.expired',
        taskIndex: r.taskIndex,
        reason:
          r.reason === 'time'
            ? 'the deadline passed before the threshold was met'
            : 'the expiry block passed',
      });
      return;
    }
    const response = t.responses.get(r.taskIndex)?.get(r.digest.toLowerCase());
    const aggregatedAtMs = Math.round(this.core.clock.now());
    t.aggregatedHere.set(r.taskIndex, aggregatedAtMs);
    void this.#propose(t, {
      type: 'task.aggregated',
      taskIndex: r.taskIndex,
      digest: r.digest,
      response,
      signers: r.signerOperatorIds,
      signedStake: r.signedStakePerQuorum.map(String),
      proof: proofOf(r),
      aggregatedAtMs,
    });
  }

  /**
   * Proposes a command of this term, retrying while this node still leads the
   * term: a proposal Raft dropped (a leadership transfer in progress that then
   * aborts, the uncommitted-size cap) or that timed out would otherwise be
   * lost, and with it the only notice of the outcome (the aggregation service
   * reports a result once): the task would stay pending until its deadline.
   * Every command is idempotent on apply (a task already final is refused), so
   * a retry of one that did commit is harmless. Once this node is not the
   * leader of the term, the next leader resumes from the replicated state.
   */
  async #propose(t: Term, command: TaskCommand): Promise<void> {
    const { retryBaseMs, retryMaxMs } = this.core.config;
    for (let attempt = 1; t.active; attempt++) {
      try {
        await this.core.propose(command);
        return;
      } catch (error) {
        if (!t.active) return;
        if (attempt === 1) this.core.reportError(error, `proposing ${command.type}`);
        const st = this.core.node().status();
        if (st.role !== 'leader' || st.term !== t.term) return;
        if (!this.#stillApplies(command)) return;
        await sleep(this.core.clock, backoffMs(attempt, retryBaseMs, retryMaxMs));
      }
    }
  }

  /** Whether a task command would still change the replicated task (the state moves only forwards). */
  #stillApplies(command: TaskCommand): boolean {
    if ('batchId' in command) {
      const batch = this.core.state.batch(command.batchId);
      const statuses = (batch?.taskIndexes ?? []).map((i) => this.core.state.task(i)?.status);
      if (command.type === 'batch.aggregated') return statuses.every((s) => s === 'pending');
      return statuses.some((s) => s === 'pending' || s === 'aggregated');
    }
    if (!('taskIndex' in command)) return true;
    const status = this.core.state.task(command.taskIndex)?.status;
    if (status === undefined) return true;
    if (command.type === 'task.submitted' || command.type === 'task.failed')
      return status === 'pending' || status === 'aggregated';
    return status === 'pending';
  }

  async #submit(t: Term, taskIndex: number): Promise<void> {
    if (t.submitting.has(taskIndex)) return;
    t.submitting.add(taskIndex);
    try {
      await this.#chainLimit(() => this.#submitNow(t, taskIndex));
    } finally {
      t.submitting.delete(taskIndex);
      t.aggregatedHere.delete(taskIndex);
    }
  }

  /**
   * Submits one aggregated task, retrying until it lands, is refused for good, or the term ends.
   * A task whose aggregate this term proposed is sent without looking it up on-chain first (the
   * task manager checks `taskResponded` before sending anyway, and the contract answers once); one
   * aggregated in an earlier term, or refused as already answered, is looked up first.
   */
  async #submitNow(t: Term, taskIndex: number): Promise<void> {
    const { submitter } = this.core.chain;
    const { retryBaseMs, retryMaxMs } = this.core.config;
    let look = false;
    for (let attempt = 1; t.active; attempt++) {
      const task = this.core.state.task(taskIndex);
      if (task?.status !== 'aggregated' || !task.aggregate?.proof) return;
      try {
        // Only a leader confirmed by a quorum submits; a deposed one stops here.
        await this.#confirmed.wait();
        if (!t.active) return;
        const ours = t.aggregatedHere.get(taskIndex) === task.aggregate.aggregatedAtMs;
        const landed = look || !ours ? await submitter.findResponse(taskIndex) : undefined;
        if (landed) {
          await this.#recordSubmitted(t, taskIndex, landed);
          return;
        }
        const request = this.core.state.request(task.requestId);
        const result = await submitter.submitResponse({
          taskIndex,
          meta: task.meta,
          request: request?.request,
          response: task.aggregate.response,
          digest: task.aggregate.digest as `0x${string}`,
          proof: task.aggregate.proof,
          signers: task.aggregate.signers,
        });
        await this.#recordSubmitted(t, taskIndex, result);
        return;
      } catch (error) {
        if (error instanceof SubmissionError && error.alreadyResponded) {
          look = true;
          continue;
        }
        if (error instanceof SubmissionError && error.permanent) {
          await this.#propose(t, { type: 'task.failed', taskIndex, reason: error.message.slice(0, 1000) });
          return;
        }
        if (!(error instanceof EngineError)) this.core.reportError(error, `submitting task ${taskIndex}`);
        await sleep(this.core.clock, backoffMs(attempt, retryBaseMs, retryMaxMs));
      }
    }
  }

  async #recordSubmitted(
    t: Term,
    taskIndex: number,
    r: { txHash: string; blockNumber?: number },
  ): Promise<void> {
    await this.#propose(t, {
      type: 'task.submitted',
      taskIndex,
      txHash: r.txHash,
      ...(r.blockNumber === undefined ? {} : { blockNumber: r.blockNumber }),
    });
  }
}
