/**
 * The work every operator (the leader too) does for a task request, outside
 * `apply`: compute the responses, check the request against the on-chain
 * tasks, BLS-sign each response and deliver the signed response to the
 * leader, with timeouts and retries, re-targeting when the leader changes and
 * re-sending to a new leader (which must collect signatures again). It stops
 * once every task of the request is final or expired.
 */
import { type BlsKeyPair, g1ToJson } from '@avs/bls';
import type { EngineContext } from '../engine-context.js';
import { CallbackError, EngineError, PeerCallError } from '../errors.js';
import type { ProcessedResponse, SignedTaskResponse, TaskConsensusCallbacks } from '../ports/callbacks.js';
import type { SignedBatchResponseWire, SubmitResponsesResult } from '../ports/wire.js';
import { batchOfResponses } from '../tasks/batch-digest.js';
import type { TaskMeta } from '../tasks/task-command.js';
import type { BatchRecord, RequestRecord } from '../tasks/task-state.js';
import { backoffMs, WORK_ITEMS_PER_TURN, withTimeout, yieldToEventLoop } from '../waiting.js';

/** Refusal codes that mean "not yet": the leader has not applied the request. Retried. */
const RETRYABLE = new Set(['RESPONSE_UNKNOWN_REQUEST']);

interface Pending {
  /** The request id, or `batch:<id>` for a batch. */
  readonly requestId: string;
  readonly taskIndexes: readonly number[];
  readonly expiresAtMs: number;
  payload: SignedTaskResponse<unknown> | SignedBatchResponseWire;
  /** `leader:term` that accepted the payload; re-sent when the leader or term changes. */
  deliveredTo: string | undefined;
  attempt: number;
  sending: boolean;
  timer: unknown;
}

/** Accepts a signed response on this node when it is the leader. */
export type LocalAccept = (peer: string, body: unknown) => Promise<SubmitResponsesResult>;

export class ResponseWorker<T, K> {
  readonly #pending = new Map<string, Pending>();
  readonly #started = new Set<string>();

  constructor(
    private readonly core: EngineContext,
    private readonly callbacks: TaskConsensusCallbacks<T, K>,
    private readonly process: (response: K) => Promise<ProcessedResponse>,
    private readonly blsKey: BlsKeyPair,
    private readonly acceptLocally: LocalAccept,
  ) {}

  /** Requests with a signed response still waiting for delivery or finality. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** A request was applied: answer it unless its tasks are already done (a batch's are answered with the batch). */
  onRequestCreated(record: RequestRecord): void {
    if (record.batchId !== undefined) {
      const batch = this.core.state.batch(record.batchId);
      if (batch) this.onBatchCreated(batch);
      return;
    }
    if (this.#started.has(record.requestId) || !this.#stillOpen(record.taskIndexes)) return;
    this.#started.add(record.requestId);
    void this.#answer(record).catch((error) => this.core.reportError(error, `answering ${record.requestId}`));
  }

  /**
   * A batch was applied: answer every request of it and sign once, over the
   * batch digest. A request this operator refuses leaves the whole batch
   * unsigned by it (one signature covers every task).
   */
  onBatchCreated(batch: BatchRecord): void {
    const key = `batch:${batch.batchId}`;
    if (this.#started.has(key) || !this.#stillOpen(batch.taskIndexes)) return;
    this.#started.add(key);
    void this.#answerBatch(batch, key).catch((error) => this.core.reportError(error, `answering ${key}`));
  }

  /** After a restore: answer every request that still has open tasks. */
  resumeAll(): void {
    for (const task of this.core.state.inFlight()) {
      const record = this.core.state.request(task.requestId);
      if (record) this.onRequestCreated(record);
    }
  }

  /** A task changed: drop requests whose tasks are all final. */
  onTaskUpdated(): void {
    for (const p of [...this.#pending.values()]) {
      if (!this.#stillOpen(p.taskIndexes)) this.#drop(p);
    }
  }

  /** The leader changed: every pending response goes to the new one. */
  onLeaderChange(): void {
    for (const p of this.#pending.values()) {
      p.deliveredTo = undefined;
      p.attempt = 0;
      this.#schedule(p, 0);
    }
  }

  close(): void {
    for (const p of [...this.#pending.values()]) this.#drop(p);
  }

  /**
   * Signs `responses` to `request` and sends them to the leader until they are
   * delivered (the original `SubmitTaskToLeader`).
   * @throws CallbackError when a response is invalid or answers a task the request does not have
   */
  async submit(requestId: string, request: T, responses: readonly K[]): Promise<void> {
    const record = this.core.state.request(requestId);
    if (!record)
      throw new EngineError('UNKNOWN_REQUEST', `request ${requestId} is not in the replicated state`);
    const payload = await this.#sign(record, request, responses);
    this.#started.add(requestId);
    this.#track(record.requestId, record.taskIndexes, payload);
  }

  #stillOpen(taskIndexes: readonly number[]): boolean {
    const now = this.core.clock.now();
    return taskIndexes.some((i) => {
      const t = this.core.state.task(i);
      return (
        t !== undefined && (t.status === 'pending' || t.status === 'aggregated') && t.meta.expiresAtMs > now
      );
    });
  }

  #metas(record: RequestRecord): TaskMeta[] {
    return record.taskIndexes.flatMap((i) => {
      const t = this.core.state.task(i);
      return t ? [t.meta] : [];
    });
  }

  async #answer(record: RequestRecord): Promise<void> {
    const answered = await this.#responsesFor(record);
    if (typeof answered === 'string') return this.#refuse(record, answered);
    const { request, responses } = answered;
    let payload: SignedTaskResponse<unknown>;
    try {
      payload = await this.#sign(record, request, responses);
    } catch (error) {
      this.core.reportError(error, record.requestId);
      return this.#refuse(record, error instanceof Error ? error.message : 'signing failed');
    }
    if (this.core.isClosed() || !this.#stillOpen(record.taskIndexes)) return;
    this.#track(record.requestId, record.taskIndexes, payload);
  }

  async #answerBatch(batch: BatchRecord, key: string): Promise<void> {
    const responses: K[] = [];
    for (const requestId of batch.requestIds) {
      const record = this.core.state.request(requestId);
      if (!record) return;
      const answered = await this.#responsesFor(record);
      if (typeof answered === 'string') return this.#refuse(record, answered);
      responses.push(...(await this.#checked(record, answered.responses)));
    }
    // Leaf order is the batch's task order, whatever order the callback answered in.
    const byTask = new Map<number, K>();
    for (const r of responses) byTask.set((await this.process(r)).taskIndex, r);
    const ordered = batch.taskIndexes.map((i) => byTask.get(i));
    if (ordered.some((r) => r === undefined)) {
      return this.#refuseBatch(batch, 'onTaskRequest did not answer every task of the batch');
    }
    let payload: SignedBatchResponseWire;
    try {
      const built = await batchOfResponses(this.core.state, batch, ordered as K[], this.process);
      payload = {
        batchId: batch.batchId,
        operatorId: this.core.operatorId,
        taskResponse: ordered,
        blsSignature: g1ToJson(this.blsKey.sign(built.digest)),
      };
    } catch (error) {
      this.core.reportError(error, key);
      return this.#refuseBatch(batch, error instanceof Error ? error.message : 'signing failed');
    }
    if (this.core.isClosed() || !this.#stillOpen(batch.taskIndexes)) return;
    this.#track(key, batch.taskIndexes, payload);
  }

  #refuseBatch(batch: BatchRecord, reason: string): void {
    for (const requestId of batch.requestIds) this.core.emit('request-refused', { requestId, reason });
  }

  /** The request's responses, or why this operator refuses to answer it. */
  async #responsesFor(record: RequestRecord): Promise<{ request: T; responses: readonly K[] } | string> {
    const parsed = this.callbacks.requestSchema.safeParse(record.request);
    if (!parsed.success) return 'the request does not match requestSchema';
    const request = parsed.data;
    const metas = this.#metas(record);
    let valid = true;
    if (this.callbacks.validateTaskRequest) {
      try {
        valid = await this.callbacks.validateTaskRequest(request, metas);
      } catch (error) {
        this.core.reportError(
          new CallbackError('validateTaskRequest', 'threw', { cause: error }),
          record.requestId,
        );
        valid = false;
      }
    }
    if (!valid) return 'validateTaskRequest refused it: it does not match the on-chain tasks';
    try {
      return { request, responses: await this.callbacks.onTaskRequest(request, metas) };
    } catch (error) {
      this.core.reportError(new CallbackError('onTaskRequest', 'threw', { cause: error }), record.requestId);
      return 'onTaskRequest failed';
    }
  }

  #refuse(record: RequestRecord, reason: string): void {
    this.core.emit('request-refused', { requestId: record.requestId, reason });
  }

  async #sign(
    record: RequestRecord,
    request: T,
    responses: readonly K[],
  ): Promise<SignedTaskResponse<unknown>> {
    const checked = await this.#checked(record, responses);
    const sign = (digest: `0x${string}`) => g1ToJson(this.blsKey.sign(digest));
    if (this.callbacks.onTaskResponse) {
      return this.callbacks.onTaskResponse(request, checked, {
        requestId: record.requestId,
        sign,
        operatorId: this.core.operatorId,
      });
    }
    const signatures = [];
    for (const [i, k] of checked.entries()) {
      if (i > 0 && i % WORK_ITEMS_PER_TURN === 0) await yieldToEventLoop();
      signatures.push(sign((await this.process(k)).digest));
    }
    return {
      requestId: record.requestId,
      taskResponse: checked,
      blsSignature: signatures,
      operatorId: this.core.operatorId,
    };
  }

  /**
   * The responses checked against the schema and the request: one per task of the request at most.
   * @throws CallbackError otherwise
   */
  async #checked(record: RequestRecord, responses: readonly K[]): Promise<K[]> {
    if (!Array.isArray(responses) || responses.length === 0) {
      throw new CallbackError('onTaskRequest', 'expected a non-empty array of responses');
    }
    const seen = new Set<number>();
    const checked: K[] = [];
    for (const [i, raw] of responses.entries()) {
      const parsed = this.callbacks.responseSchema.safeParse(raw);
      if (!parsed.success)
        throw new CallbackError('onTaskRequest', `response ${i} does not match responseSchema`);
      const { taskIndex } = await this.process(parsed.data);
      if (!record.taskIndexes.includes(taskIndex)) {
        throw new CallbackError(
          'onTaskRequest',
          `response ${i} answers task ${taskIndex}, which request ${record.requestId} does not have`,
        );
      }
      if (seen.has(taskIndex))
        throw new CallbackError('onTaskRequest', `two responses answer task ${taskIndex}`);
      seen.add(taskIndex);
      checked.push(parsed.data);
    }
    return checked;
  }

  #track(
    key: string,
    taskIndexes: readonly number[],
    payload: SignedTaskResponse<unknown> | SignedBatchResponseWire,
  ): void {
    const expiresAtMs = Math.max(...taskIndexes.map((i) => this.core.state.task(i)?.meta.expiresAtMs ?? 0));
    const existing = this.#pending.get(key);
    if (existing) this.#drop(existing);
    const p: Pending = {
      requestId: key,
      taskIndexes,
      expiresAtMs,
      payload,
      deliveredTo: undefined,
      attempt: 0,
      sending: false,
      timer: undefined,
    };
    this.#pending.set(key, p);
    this.#schedule(p, 0);
  }

  #drop(p: Pending): void {
    if (p.timer !== undefined) this.core.clock.clearTimeout(p.timer);
    p.timer = undefined;
    this.#pending.delete(p.requestId);
  }

  #schedule(p: Pending, delayMs: number): void {
    if (p.timer !== undefined) this.core.clock.clearTimeout(p.timer);
    p.timer = this.core.clock.setTimeout(() => {
      p.timer = undefined;
      void this.#send(p);
    }, delayMs);
  }

  async #send(p: Pending): Promise<void> {
    if (p.sending || this.#pending.get(p.requestId) !== p || this.core.isClosed()) return;
    if (!this.#stillOpen(p.taskIndexes)) return this.#drop(p);
    const leader = this.core.leaderId();
    const { config } = this.core;
    if (leader === '') {
      p.attempt++;
      return this.#schedule(p, backoffMs(p.attempt, config.retryBaseMs, config.retryMaxMs));
    }
    p.sending = true;
    let retry = false;
    try {
      const result =
        leader === this.core.id
          ? await this.acceptLocally(this.core.id, p.payload)
          : await withTimeout(
              this.core.clock,
              config.requestTimeoutMs,
              () =>
                this.core.transport.client.submitResponses(
                  { id: leader, httpUrl: this.core.httpUrlOf(leader) },
                  p.payload,
                  config.requestTimeoutMs,
                ),
              () => new PeerCallError(leader, 'TIMEOUT', `no answer within ${config.requestTimeoutMs} ms`),
            );
      retry = result.verdicts.some((v) => !v.accepted && v.code !== undefined && RETRYABLE.has(v.code));
      if (!retry) {
        p.deliveredTo = `${result.leaderId}:${result.term}`;
        p.attempt = 0;
      }
    } catch (error) {
      retry = true;
      if (!(error instanceof EngineError))
        this.core.reportError(error, `sending ${p.requestId} to ${leader}`);
    } finally {
      p.sending = false;
    }
    if (retry && this.#pending.get(p.requestId) === p) {
      p.attempt++;
      this.#schedule(p, backoffMs(p.attempt, config.retryBaseMs, config.retryMaxMs));
    }
  }
}
