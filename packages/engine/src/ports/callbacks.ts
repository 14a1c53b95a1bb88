/**
 * The application's side of the engine: the callbacks of the original
 * `TaskConsensusCallbacks`, zod schemas for the wire, and defaults where the
 * original forced boilerplate.
 */
import type { G1Json } from '@avs/bls';
import type { z } from 'zod';
import type { TaskMeta } from '../tasks/task-command.js';
import { memoizeProcessor } from './digest-memo.js';

/** What an operator answers for one on-chain task: where it goes and what is signed. */
export interface ProcessedResponse {
  /** The on-chain task this response answers. */
  readonly taskIndex: number;
  /** 32-byte digest that is BLS-signed (0x hex); the on-chain check recomputes it. */
  readonly digest: `0x${string}`;
}

/**
 * The signed response an operator sends to the leader (the original
 * `SignedTaskResponse`, plus the request it answers). `blsSignature[i]` signs
 * the digest of `taskResponse[i]`.
 */
export interface SignedTaskResponse<K> {
  readonly requestId: string;
  readonly taskResponse: readonly K[];
  readonly blsSignature: readonly G1Json[];
  /** The signer's BLS operator id (bytes32 hex). */
  readonly operatorId: string;
}

/** Signs one digest with this operator's BLS key; handed to a custom `onTaskResponse`. */
export type ResponseSigner = (digest: `0x${string}`) => G1Json;

/** Endpoints of an operator as registered on-chain. */
export interface OperatorEndpoints {
  readonly httpUrl: string;
  readonly raftUrl: string;
}

type MaybePromise<V> = V | Promise<V>;

/**
 * Callbacks an AVS implements. T is the task request, K one task response.
 * Every callback may be async; a throwing callback is reported, never crashes the node.
 */
export interface TaskConsensusCallbacks<T, K> {
  /** Validates T on the wire and in the log. */
  readonly requestSchema: z.ZodType<T>;
  /** Validates K on the wire. */
  readonly responseSchema: z.ZodType<K>;
  /** Every operator (the leader too) computes its responses to a request: one per on-chain task it answers. */
  onTaskRequest(request: T, tasks: readonly TaskMeta[]): MaybePromise<readonly K[]>;
  /**
   * Maps a response to its on-chain task and the digest that is signed. Run by
   * the signer and again by the leader, which never trusts a sender's digest.
   * Default: `taskIndex` from {@link EngineCallbacksOptions.taskIndexOf} and the digest from
   * {@link EngineCallbacksOptions.digestOf} (e.g. `abiDigest` of `@avs/chain`).
   */
  onLeaderProcessTaskResponse?(response: K): MaybePromise<ProcessedResponse>;
  /**
   * Builds the signed response sent to the leader. Default: sign each
   * response's digest with the BLS key ({@link SignedTaskResponse}).
   */
  onTaskResponse?(
    request: T,
    responses: readonly K[],
    context: { readonly requestId: string; readonly sign: ResponseSigner; readonly operatorId: string },
  ): MaybePromise<SignedTaskResponse<K>>;
  /** Whether `address` (lowercase 0x) is a registered operator right now. */
  isValidOperator(address: string): MaybePromise<boolean>;
  /** The endpoints `address` registered on-chain (or just its HTTP URL, used for both). */
  fetchOperatorUrl(address: string): MaybePromise<OperatorEndpoints | string>;
  /**
   * The address the registry stores for `operatorId` (bytes32 hex), undefined when unregistered.
   * With it, a join's operatorId (and the direct `join`'s) must be the signing address's own
   * (`JOIN_OPERATOR_ID_MISMATCH` otherwise): no member can sign, or spend invalid-signature
   * allowances, under another operator's id. Production wiring must give it.
   */
  operatorAddressOf?(operatorId: string): MaybePromise<string | undefined>;
  /**
   * Checked before signing: false (or a throw) means the request does not
   * match the on-chain tasks and this operator refuses to sign it.
   * Default: accept.
   */
  validateTaskRequest?(request: T, tasks: readonly TaskMeta[]): MaybePromise<boolean>;
}

/** Options for the default response processor: how a response is digested, and how to find its task. */
export interface EngineCallbacksOptions<K> {
  /**
   * The 32-byte digest the on-chain check recomputes for a response, e.g.
   * `(r) => abiDigest('tuple(uint32 taskIndex, uint256 numberSquared)', r)` with `abiDigest` from `@avs/chain`.
   */
  readonly digestOf?: (response: K) => `0x${string}`;
  /** The task a response answers; default `response.taskIndex` (or `referenceTaskIndex`). */
  readonly taskIndexOf?: (response: K) => number;
}

function defaultTaskIndexOf(response: unknown): number {
  if (typeof response === 'object' && response !== null) {
    const r = response as Record<string, unknown>;
    const index = r.taskIndex ?? r.referenceTaskIndex;
    if (typeof index === 'number' && Number.isSafeInteger(index) && index >= 0) return index;
    if (typeof index === 'bigint' && index >= 0n && index <= BigInt(Number.MAX_SAFE_INTEGER))
      return Number(index);
  }
  throw new TypeError('the response has no taskIndex (or referenceTaskIndex) field; pass taskIndexOf');
}

/**
 * The digest function the engine uses: the application's
 * `onLeaderProcessTaskResponse`, else the default from the options.
 * @throws TypeError when neither the callback nor `digestOf` is given
 */
export function resolveResponseProcessor<K>(
  callbacks: Pick<TaskConsensusCallbacks<unknown, K>, 'onLeaderProcessTaskResponse'>,
  options: EngineCallbacksOptions<K>,
): (response: K) => Promise<ProcessedResponse> {
  const custom = callbacks.onLeaderProcessTaskResponse;
  if (custom) return async (response) => custom.call(callbacks, response);
  const digestOf = options.digestOf;
  if (digestOf === undefined) {
    throw new TypeError('give either callbacks.onLeaderProcessTaskResponse or digest.digestOf');
  }
  const taskIndexOf = options.taskIndexOf ?? defaultTaskIndexOf;
  // The default is a pure function of the response: memoised (a custom callback may not be pure).
  return memoizeProcessor(async (response) => ({
    taskIndex: taskIndexOf(response),
    digest: digestOf(response),
  }));
}
