/**
 * The checks a join must pass, split by cost (issue #17, items 2-4), and the
 * chain reads behind them, cached:
 *
 * - cheap (every member runs them before forwarding a join, so junk never
 *   reaches the leader): domain, expiry, the ECDSA signature, the block window
 *   against the cached latest block, and the claimed operatorId in the cached
 *   registered set of the task quorums with at least `minimumStake` in each;
 * - bound to the chain (also the direct `join`): the registry's address of the
 *   claimed operatorId is the signing address.
 *
 * The latest block is read at most once per `chainCacheMs`, the operator set
 * once per block, and the address of an operatorId once per `chainCacheMs` and
 * only for registered operatorIds (after the set check): N junk joins per
 * second, from fresh keys claiming any ids, cost O(1) chain reads per second
 * (at most one address read per registered operator).
 */
import type { OperatorSetState } from '@avs/bls';
import type { ResolvedEngineConfig } from '../config.js';
import { JoinRefusedError } from '../errors.js';
import type { EngineChain } from '../ports/chain-port.js';
import type { JoinAuthenticator, SignedJoinRequest } from './join-request.js';

/** The clock and registry reads the checks need. */
export interface AdmissionDeps {
  readonly config: ResolvedEngineConfig;
  readonly chain: Pick<EngineChain, 'chainId' | 'contractAddress' | 'latestBlock' | 'operatorState'>;
  readonly joinAuth: Pick<JoinAuthenticator, 'recoverSigner'>;
  now(): number;
  /** The address the registry stores for `operatorId`, undefined when unregistered. */
  readonly operatorAddressOf?:
    | ((operatorId: string) => Promise<string | undefined> | string | undefined)
    | undefined;
}

interface Cached<V> {
  value: Promise<V>;
  until: number;
}

/** Why an operator does not qualify, or undefined when it does. */
export type StakeVerdict = undefined | { reason: 'UNREGISTERED' | 'INSUFFICIENT_STAKE'; message: string };

/** Cached registry reads and the join checks built on them. */
export class AdmissionChecks {
  #block: Cached<number> | undefined;
  #set: { block: number; value: Promise<OperatorSetState> } | undefined;
  readonly #ids = new Map<string, Cached<string | undefined>>();
  /** When the caches were last dropped because an id was missing (at most once per `chainCacheMs`). */
  #refreshedAt = Number.NEGATIVE_INFINITY;
  /** Chain reads made (latest block, operator set, address lookups), for tests and metrics. */
  readonly reads = { latestBlock: 0, operatorSet: 0, operatorAddress: 0 };

  constructor(private readonly d: AdmissionDeps) {}

  get minimumStake(): bigint {
    return BigInt(this.d.config.minimumStake);
  }

  /** The latest block, read at most once per `chainCacheMs`. */
  latestBlock(): Promise<number> {
    const now = this.d.now();
    if (this.#block && this.#block.until > now) return this.#block.value;
    this.reads.latestBlock++;
    const value = this.d.chain.latestBlock();
    this.#block = { value, until: now + this.d.config.chainCacheMs };
    value.catch(() => {
      this.#block = undefined;
    });
    return value;
  }

  /** The operators of the task quorums at `block` (one read per block). */
  operatorSet(block: number): Promise<OperatorSetState> {
    if (this.#set?.block === block) return this.#set.value;
    this.reads.operatorSet++;
    const value = this.d.chain.operatorState.getOperatorState(block, this.d.config.defaultQuorumNumbers);
    this.#set = { block, value };
    value.catch(() => {
      if (this.#set?.value === value) this.#set = undefined;
    });
    return value;
  }

  /**
   * Whether `operatorId` is registered with at least `minimumStake` in every task quorum at the latest block.
   * An id missing from the cached set may have registered since: the caches are dropped and read again,
   * at most once per `chainCacheMs` (so junk ids still cost O(1) reads per second).
   * `fresh` reads the latest block and the set again first (a stake event names a change the cached
   * block may predate); only the leader's reaction to a member's stake event asks for it.
   */
  async stakeVerdict(operatorId: string, options: { fresh?: boolean } = {}): Promise<StakeVerdict> {
    if (options.fresh) {
      this.#block = undefined;
      this.#set = undefined;
    }
    const verdict = await this.#stakeVerdictCached(operatorId);
    const now = this.d.now();
    if (verdict?.reason !== 'UNREGISTERED' || now - this.#refreshedAt < this.d.config.chainCacheMs)
      return verdict;
    this.#refreshedAt = now;
    this.#block = undefined;
    this.#set = undefined;
    return this.#stakeVerdictCached(operatorId);
  }

  async #stakeVerdictCached(operatorId: string): Promise<StakeVerdict> {
    const set = await this.operatorSet(await this.latestBlock());
    const id = operatorId.toLowerCase();
    const op = set.operators.find((o) => o.operatorId.toLowerCase() === id);
    if (!op)
      return { reason: 'UNREGISTERED', message: `operatorId ${id} is not registered in the task quorums` };
    const min = this.minimumStake;
    for (const q of this.d.config.defaultQuorumNumbers) {
      const stake = op.stakes.get(q) ?? 0n;
      if (stake < min) {
        return {
          reason: 'INSUFFICIENT_STAKE',
          message: `operatorId ${id} has stake ${stake} in quorum ${q}, below the minimum ${min}`,
        };
      }
    }
    return undefined;
  }

  /** The registry's address of `operatorId` (lowercase), cached for `chainCacheMs`; undefined without the callback. */
  async operatorAddressOf(operatorId: string): Promise<string | undefined> {
    const lookup = this.d.operatorAddressOf;
    if (!lookup) return undefined;
    const id = operatorId.toLowerCase();
    const now = this.d.now();
    const hit = this.#ids.get(id);
    if (hit && hit.until > now) return hit.value;
    this.reads.operatorAddress++;
    const value = Promise.resolve(lookup(id)).then((a) => a?.toLowerCase());
    // Only registered ids get here (after the set check), so the map stays as small as the registry.
    this.#ids.set(id, { value, until: now + this.d.config.chainCacheMs });
    value.catch(() => this.#ids.delete(id));
    return value;
  }

  /**
   * The checks any member runs before forwarding a join, cheapest first; chain reads only from the caches.
   * @throws JoinRefusedError (`WRONG_DOMAIN`, `EXPIRED`, `FORGED`, `STALE_BLOCK`, `UNREGISTERED`,
   *   `INSUFFICIENT_STAKE`, `UNAVAILABLE`)
   */
  async cheapChecks(signed: SignedJoinRequest): Promise<void> {
    const { request } = signed;
    const { config, chain } = this.d;
    if (
      request.chainId !== chain.chainId ||
      request.contract.toLowerCase() !== chain.contractAddress.toLowerCase() ||
      request.clusterId !== config.clusterId
    ) {
      throw new JoinRefusedError(
        'WRONG_DOMAIN',
        `the request is for chain ${request.chainId}, contract ${request.contract}, cluster ${request.clusterId}; expected ${chain.chainId}, ${chain.contractAddress}, ${config.clusterId}`,
      );
    }
    const now = this.d.now();
    if (request.expiresAtMs <= now)
      throw new JoinRefusedError('EXPIRED', `the request expired at ${request.expiresAtMs} (now ${now})`);
    if (request.expiresAtMs > now + 2 * config.joinRequestTtlMs) {
      throw new JoinRefusedError('EXPIRED', `the expiry ${request.expiresAtMs} is too far in the future`);
    }
    const operator = request.operator.toLowerCase();
    if (this.d.joinAuth.recoverSigner(signed) !== operator) {
      throw new JoinRefusedError('FORGED', `the signature was not made by ${operator} over this request`);
    }
    let latest: number;
    let verdict: StakeVerdict;
    try {
      latest = await this.latestBlock();
      verdict = await this.stakeVerdict(request.operatorId);
    } catch (cause) {
      throw new JoinRefusedError('UNAVAILABLE', 'the operator registry could not be read', { cause });
    }
    if (
      request.block + config.maxJoinBlockAge < latest ||
      request.block > latest + config.maxJoinBlockAhead
    ) {
      throw new JoinRefusedError(
        'STALE_BLOCK',
        `block ${request.block} is outside [${latest - config.maxJoinBlockAge}, ${latest + config.maxJoinBlockAhead}] (latest ${latest})`,
      );
    }
    if (verdict) throw new JoinRefusedError(verdict.reason, verdict.message);
    await this.requireOperatorId(operator, request.operatorId);
  }

  /**
   * The claimed operatorId must belong to `address` on-chain (skipped without `operatorAddressOf`).
   * @throws JoinRefusedError `OPERATOR_ID_MISMATCH`, `UNREGISTERED` or `UNAVAILABLE`
   */
  async requireOperatorId(address: string, claimed: string): Promise<void> {
    if (!this.d.operatorAddressOf) return;
    let owner: string | undefined;
    try {
      owner = await this.operatorAddressOf(claimed);
    } catch (cause) {
      throw new JoinRefusedError('UNAVAILABLE', 'the operator registry could not be read', { cause });
    }
    if (owner === undefined) {
      throw new JoinRefusedError('UNREGISTERED', `operatorId ${claimed.toLowerCase()} is not registered`);
    }
    if (owner !== address.toLowerCase()) {
      throw new JoinRefusedError(
        'OPERATOR_ID_MISMATCH',
        `operatorId ${claimed.toLowerCase()} is registered to ${owner}, not ${address.toLowerCase()}`,
      );
    }
  }
}
