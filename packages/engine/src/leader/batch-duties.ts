/**
 * The leader's work for batches, within one leadership term: one aggregation
 * per batch over the batch digest (the highest threshold of its tasks per
 * quorum, the earliest expiry), judged from members' batch responses (the
 * leader rebuilds the batch from the responses and never trusts a sender's
 * digest), replicated as `batch.aggregated` before one `submitBatch`, and the
 * outcome recorded for every task at once (`batch.submitted`, `batch.closed`).
 *
 * A new leader resumes from the replicated state: pending batches are
 * aggregated again (members re-send to it), aggregated ones are submitted
 * after checking on-chain whether the old leader's transaction landed.
 */
import type { AggregationResult, BlsAggregationService } from '@avs/bls/aggregation';
import type { LimitFunction } from 'p-limit';
import type { EngineContext } from '../engine-context.js';
import { EngineError, SubmissionError } from '../errors.js';
import type { ProcessedResponse, TaskConsensusCallbacks } from '../ports/callbacks.js';
import type { ResponseVerdict, SignedBatchResponseWire } from '../ports/wire.js';
import { batchOfResponses } from '../tasks/batch-digest.js';
import type { AggregateProof, TaskCommand } from '../tasks/task-command.js';
import type { BatchRecord, TaskRecord } from '../tasks/task-state.js';
import { backoffMs, sleep } from '../waiting.js';

/** What a term of the leader lends its batch work. */
export interface BatchTermContext {
  readonly core: EngineContext;
  readonly service: BlsAggregationService;
  isActive(): boolean;
  /** Proposes a command of this term, retrying while it leads the term. */
  propose(command: TaskCommand): Promise<void>;
  /** Resolves once a quorum confirmed this node still leads. */
  confirmed(): Promise<void>;
  readonly chainLimit: LimitFunction;
  proofOf(result: Extract<AggregationResult, { status: 'aggregated' }>): AggregateProof;
}

interface Collected {
  readonly responses: readonly unknown[];
  readonly leaves: readonly `0x${string}`[];
  readonly root: `0x${string}`;
}

/** One term's batches. */
export class BatchAggregation<T, K> {
  readonly #inits = new Map<number, Promise<void>>();
  /** Responses by batch and batch digest, to replicate the set that reaches the threshold. */
  readonly #collected = new Map<number, Map<string, Collected>>();
  readonly #submitting = new Set<number>();
  /** The `aggregatedAtMs` of the aggregate this leader proposed, by batch (this term only). */
  readonly #aggregatedHere = new Map<number, number>();

  constructor(
    private readonly ctx: BatchTermContext,
    private readonly callbacks: TaskConsensusCallbacks<T, K>,
    private readonly process: (response: K) => Promise<ProcessedResponse>,
  ) {
    ctx.service.onResult((r) => {
      try {
        this.#onResult(r);
      } catch (error) {
        ctx.core.reportError(error, 'batch aggregation result');
      }
    });
  }

  /** Starts (once) the aggregation of a batch whose tasks are all pending. */
  init(batch: BatchRecord): void {
    const { core } = this.ctx;
    if (this.#inits.has(batch.batchId)) return;
    const tasks = this.#tasks(batch);
    if (tasks === undefined || tasks.some((t) => t.status !== 'pending')) return;
    const first = tasks[0]!.meta;
    const thresholds = first.quorumNumbers.map((_, q) =>
      Math.max(...tasks.map((t) => t.meta.thresholdPercentages[q] ?? 100)),
    );
    const expiresAtMs = Math.min(...tasks.map((t) => t.meta.expiresAtMs));
    const blocks = tasks.flatMap((t) => (t.meta.expiresAtBlock === undefined ? [] : [t.meta.expiresAtBlock]));
    const remaining = Math.ceil(expiresAtMs - core.clock.now());
    if (remaining <= 0) {
      this.#inits.set(batch.batchId, Promise.resolve());
      void this.ctx.propose({
        type: 'batch.closed',
        batchId: batch.batchId,
        status: 'expired',
        reason: 'expired before aggregation',
      });
      return;
    }
    const init = this.ctx.service
      .initializeTask({
        taskIndex: batch.batchId,
        referenceBlock: first.referenceBlock,
        quorumNumbers: first.quorumNumbers,
        thresholdPercentages: thresholds,
        expiry: { afterMs: remaining, ...(blocks.length > 0 ? { atBlock: Math.min(...blocks) } : {}) },
      })
      .catch((error: unknown) => {
        if (!this.ctx.isActive()) return;
        core.reportError(error, `initialising aggregation of batch ${batch.batchId}`);
        void this.ctx.propose({
          type: 'batch.closed',
          batchId: batch.batchId,
          status: 'failed',
          reason:
            `aggregation could not start: ${error instanceof Error ? error.message : String(error)}`.slice(
              0,
              1000,
            ),
        });
      });
    this.#inits.set(batch.batchId, init);
  }

  /** Ends the term's batch aggregations (the next leader starts from the replicated state). */
  close(): void {
    this.ctx.service.close();
  }

  /** The latest block, for batches that expire by block. */
  observeBlock(block: number): void {
    this.ctx.service.observeBlock(block);
  }

  /** Picks up a batch found in the replicated state: aggregate it, or submit it. */
  resume(batch: BatchRecord): void {
    const tasks = this.#tasks(batch);
    if (tasks?.every((t) => t.status === 'pending')) this.init(batch);
    else if (tasks?.some((t) => t.status === 'aggregated')) void this.submit(batch.batchId);
  }

  /** Judges one member's answer to a batch: every item gets the same verdict. */
  async judge(operatorId: string, s: SignedBatchResponseWire): Promise<ResponseVerdict[]> {
    const { core } = this.ctx;
    const verdicts = (accepted: boolean, code?: string, message?: string, batch?: BatchRecord) =>
      s.taskResponse.map(
        (_, item): ResponseVerdict => ({
          item,
          accepted,
          ...(batch?.taskIndexes[item] === undefined ? {} : { taskIndex: batch.taskIndexes[item] }),
          ...(code === undefined ? {} : { code: `RESPONSE_${code}` }),
          ...(message === undefined ? {} : { message }),
        }),
      );
    const batch = core.state.batch(s.batchId);
    if (!batch) return verdicts(false, 'UNKNOWN_REQUEST', `batch ${s.batchId} is not known (yet)`);
    const tasks = this.#tasks(batch);
    if (tasks === undefined || tasks.some((t) => t.status !== 'pending')) {
      return verdicts(false, 'TASK_FINAL', `batch ${s.batchId} is no longer pending`, batch);
    }
    const responses: K[] = [];
    for (const raw of s.taskResponse) {
      const parsed = this.callbacks.responseSchema.safeParse(raw);
      if (!parsed.success)
        return verdicts(false, 'MALFORMED', 'a response does not match responseSchema', batch);
      responses.push(parsed.data);
    }
    let built: Awaited<ReturnType<typeof batchOfResponses>>;
    try {
      built = await batchOfResponses(core.state, batch, responses, this.process);
    } catch (error) {
      const message = error instanceof Error ? error.message : 'the batch could not be rebuilt';
      return verdicts(false, 'UNKNOWN_TASK', message, batch);
    }
    this.init(batch);
    try {
      await this.#inits.get(batch.batchId);
      await this.ctx.service.processSignature({
        taskIndex: batch.batchId,
        digest: built.digest,
        signature: s.blsSignature as never,
        operatorId,
      });
    } catch (error) {
      return verdicts(false, 'SIGNATURE_REFUSED', error instanceof Error ? error.message : 'refused', batch);
    }
    let byDigest = this.#collected.get(batch.batchId);
    if (!byDigest) {
      byDigest = new Map();
      this.#collected.set(batch.batchId, byDigest);
    }
    if (!byDigest.has(built.digest)) {
      byDigest.set(built.digest, { responses, leaves: built.leaves, root: built.root });
    }
    return verdicts(true, undefined, undefined, batch);
  }

  /** Submits an aggregated batch (once at a time per batch), after the chain limit lets it. */
  async submit(batchId: number): Promise<void> {
    if (this.#submitting.has(batchId)) return;
    this.#submitting.add(batchId);
    try {
      await this.ctx.chainLimit(() => this.#submitNow(batchId));
    } finally {
      this.#submitting.delete(batchId);
      this.#aggregatedHere.delete(batchId);
    }
  }

  #tasks(batch: BatchRecord): TaskRecord[] | undefined {
    const tasks = batch.taskIndexes.map((i) => this.ctx.core.state.task(i));
    return tasks.some((t) => t === undefined) ? undefined : (tasks as TaskRecord[]);
  }

  #onResult(r: AggregationResult): void {
    if (!this.ctx.isActive()) return;
    if (r.status === 'expired') {
      if (r.reason === 'closed') return;
      void this.ctx.propose({
        type: 'batch.closed',
        batchId: r.taskIndex,
        status: 'expired',
        reason:
          r.reason === 'time'
            ? 'the deadline passed before the threshold was met'
            : 'the expiry block passed',
      });
      return;
    }
    const collected = this.#collected.get(r.taskIndex)?.get(r.digest.toLowerCase());
    if (!collected) {
      this.ctx.core.reportError(
        new EngineError('BATCH_MISMATCH', `batch ${r.taskIndex}: no responses for digest ${r.digest}`),
        'batch aggregation result',
      );
      return;
    }
    const aggregatedAtMs = Math.round(this.ctx.core.clock.now());
    this.#aggregatedHere.set(r.taskIndex, aggregatedAtMs);
    void this.ctx.propose({
      type: 'batch.aggregated',
      batchId: r.taskIndex,
      digest: r.digest,
      root: collected.root,
      leaves: [...collected.leaves],
      responses: [...collected.responses],
      signers: r.signerOperatorIds,
      signedStake: r.signedStakePerQuorum.map(String),
      proof: this.ctx.proofOf(r),
      aggregatedAtMs,
    });
  }

  /**
   * Submits one aggregated batch, retrying until it lands, is refused for good, or the term
   * ends. A batch this leader aggregated in this term is sent without looking on-chain first: no
   * other leader had its aggregate (and the contract answers a task once anyway). A batch resumed
   * from an earlier term is looked up first (the contract answers a batch whole, so its first
   * task tells whether the earlier leader's transaction landed); after a refusal for an already
   * answered task, every task is. (The lookup before every submission cost each batch a round
   * trip to re-read what the leader knew, issue #19 item 4.)
   */
  async #submitNow(batchId: number): Promise<void> {
    const { core } = this.ctx;
    const { submitter } = core.chain;
    const { retryBaseMs, retryMaxMs } = core.config;
    let checkAll = false;
    for (let attempt = 1; this.ctx.isActive(); attempt++) {
      const batch = core.state.batch(batchId);
      const tasks = batch && this.#tasks(batch);
      if (!batch?.aggregate || !tasks || tasks.some((t) => t.status !== 'aggregated' || !t.aggregate?.proof))
        return;
      try {
        await this.ctx.confirmed();
        if (!this.ctx.isActive()) return;
        const ours = this.#aggregatedHere.get(batchId) === tasks[0]!.aggregate!.aggregatedAtMs;
        if (checkAll || !ours) {
          const looked = checkAll ? tasks : tasks.slice(0, 1);
          const landed = await Promise.all(looked.map((t) => submitter.findResponse(t.taskIndex)));
          if (landed.some((l) => l !== undefined)) {
            await this.#recordLanded(batch, looked, landed, checkAll);
            if (checkAll || landed.length === tasks.length) return;
            checkAll = true;
            continue;
          }
        }
        if (!submitter.submitBatch) throw new SubmissionError('the chain port has no submitBatch', true);
        const aggregate = tasks[0]!.aggregate!;
        const result = await submitter.submitBatch({
          batchId,
          items: tasks.map((t) => ({
            taskIndex: t.taskIndex,
            meta: t.meta,
            request: core.state.request(t.requestId)?.request,
            response: t.aggregate!.response,
            digest: t.aggregate!.digest as `0x${string}`,
          })),
          digest: batch.aggregate.digest as `0x${string}`,
          root: batch.aggregate.root as `0x${string}`,
          proof: aggregate.proof!,
          signers: aggregate.signers,
        });
        await this.ctx.propose({
          type: 'batch.submitted',
          batchId,
          txHash: result.txHash,
          ...(result.blockNumber === undefined ? {} : { blockNumber: result.blockNumber }),
        });
        return;
      } catch (error) {
        if (error instanceof SubmissionError && error.alreadyResponded) {
          // Look at every task next; refused again after that, back off (the node may lag behind).
          if (checkAll) await sleep(core.clock, backoffMs(attempt, retryBaseMs, retryMaxMs));
          checkAll = true;
          continue;
        }
        if (error instanceof SubmissionError && error.permanent) {
          await this.ctx.propose({
            type: 'batch.closed',
            batchId,
            status: 'failed',
            reason: error.message.slice(0, 1000),
          });
          return;
        }
        if (!(error instanceof EngineError)) core.reportError(error, `submitting batch ${batchId}`);
        await sleep(core.clock, backoffMs(attempt, retryBaseMs, retryMaxMs));
      }
    }
  }

  /**
   * Records what landed. The whole batch in one transaction: one `batch.submitted`. Only some
   * tasks (answered outside this batch): each landed one on its own, and the others fail, since
   * the batch's signature covers every task and cannot be submitted for a part.
   */
  async #recordLanded(
    batch: BatchRecord,
    looked: readonly TaskRecord[],
    landed: readonly ({ txHash: string; blockNumber?: number } | undefined)[],
    complete: boolean,
  ): Promise<void> {
    const txs = new Set(landed.map((l) => l?.txHash));
    const first = landed[0];
    if (first && txs.size === 1 && (complete || looked.length === batch.taskIndexes.length)) {
      await this.ctx.propose({
        type: 'batch.submitted',
        batchId: batch.batchId,
        txHash: first.txHash,
        ...(first.blockNumber === undefined ? {} : { blockNumber: first.blockNumber }),
      });
      return;
    }
    if (!complete) return; // one lookup found an answer: look at every task before deciding
    for (const [i, l] of landed.entries()) {
      if (l === undefined) continue;
      await this.ctx.propose({
        type: 'task.submitted',
        taskIndex: looked[i]!.taskIndex,
        txHash: l.txHash,
        ...(l.blockNumber === undefined ? {} : { blockNumber: l.blockNumber }),
      });
    }
    await this.ctx.propose({
      type: 'batch.closed',
      batchId: batch.batchId,
      status: 'failed',
      reason: 'part of the batch was answered elsewhere; its signature cannot answer the rest',
    });
  }
}
