/**
 * The work every operator (the leader too) does for a task request, outside
 * `apply`: compute the responses, check the request against the on-chain
 * tasks, BLS-sign each response and deliver the signed response to the
 * leader, with timeouts and retries, re-targeting when the leader changes and
 * re-sending to a new leader (which must collect signatures again). It stops
 * once every task of the request is final or expired.
 */
import { type BlsKeyPair, g1ToJson } from '@avs/bls';
import type { ProcessedResponse, SignedTaskResponse, TaskConsensusCallbacks } from './callbacks.js';
import type { EngineCore } from './engine-core.js';
import { CallbackError, EngineError, PeerCallError } from './errors.js';
import { backoffMs, WORK_ITEMS_PER_TURN, withTimeout, yieldToEventLoop } from './retry-delay.js';
import type { TaskMeta } from './task-command.js';
import type { RequestRecord } from './task-state.js';
import type { SubmitResponsesResult } from './wire.js';

/** Refusal codes that mean "not yet": the leader has not applied the request. Retried. */
const RETRYABLE = new Set(['RESPONSE_UNKNOWN_REQUEST']);

interface Pending {
  readonly requestId: string;
  readonly taskIndexes: readonly number[];
  readonly expiresAtMs: number;
  payload: SignedTaskResponse<unknown>;
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
    private readonly core: EngineCore,
    private readonly callbacks: TaskConsensusCallbacks<T, K>,
    private readonly process: (response: K) => Promise<ProcessedResponse>,
    private readonly blsKey: BlsKeyPair,
    private readonly acceptLocally: LocalAccept,
  ) {}

  /** Requests with a signed response still waiting for delivery or finality. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** A request was applied: answer it unless its tasks are already done. */
  onRequestCreated(record: RequestRecord): void {
    if (this.#started.has(record.requestId) || !this.#stillOpen(record.taskIndexes)) return;
    this.#started.add(record.requestId);
    void this.#answer(record).catch((error) => this.core.reportError(error, `answering ${record.requestId}`));
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
    this.#track(record, payload);
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
    const parsed = this.callbacks.requestSchema.safeParse(record.request);
    if (!parsed.success) return this.#refuse(record, 'the request does not match requestSchema');
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
    if (!valid)
      return this.#refuse(record, 'validateTaskRequest refused it: it does not match the on-chain tasks');
    let responses: readonly K[];
    try {
      responses = await this.callbacks.onTaskRequest(request, metas);
    } catch (error) {
      this.core.reportError(new CallbackError('onTaskRequest', 'threw', { cause: error }), record.requestId);
      return this.#refuse(record, 'onTaskRequest failed');
    }
    let payload: SignedTaskResponse<unknown>;
    try {
      payload = await this.#sign(record, request, responses);
    } catch (error) {
      this.core.reportError(error, record.requestId);
      return this.#refuse(record, error instanceof Error ? error.message : 'signing failed');
    }
    if (this.core.isClosed() || !this.#stillOpen(record.taskIndexes)) return;
    this.#track(record, payload);
  }

  #refuse(record: RequestRecord, reason: string): void {
    this.core.emit('request-refused', { requestId: record.requestId, reason });
  }

  async #sign(
    record: RequestRecord,
    request: T,
    responses: readonly K[],
  ): Promise<SignedTaskResponse<unknown>> {
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

  #track(record: RequestRecord, payload: SignedTaskResponse<unknown>): void {
    const expiresAtMs = Math.max(...this.#metas(record).map((m) => m.expiresAtMs));
    const existing = this.#pending.get(record.requestId);
    if (existing) this.#drop(existing);
    const p: Pending = {
      requestId: record.requestId,
      taskIndexes: record.taskIndexes,
      expiresAtMs,
      payload,
      deliveredTo: undefined,
      attempt: 0,
      sending: false,
      timer: undefined,
    };
    this.#pending.set(record.requestId, p);
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
