/**
 * The state of one aggregation task: its operators at the reference block,
 * and per digest the verified and not-yet-verified signatures. No timers and
 * no events here: the service drives it and publishes what it returns.
 * @module
 */

import type { G1Point, G2Point } from '../curve.js';
import { G1, G2 } from '../curve.js';
import { hashToG1 } from '../hash-to-g1.js';
import { type OperatorId, operatorIdFromPublicKey } from '../operator-id.js';
import { prepareG2 } from '../pairing.js';
import { aggregatePublicKeysG1 } from '../signature.js';
import { OperatorStateError } from './errors.js';
import type { AggregatedResult, BestProgress, OperatorInfo, OperatorSetState, TaskParams } from './types.js';

/** An operator as this task sees it. */
export interface TaskOperator {
  /** Lowercase operator id. */
  id: OperatorId;
  info: OperatorInfo;
  /** Number of the task's quorums the operator is in (>= 1 for task members, 0 otherwise). */
  multiplicity: number;
  /** Stake per task quorum, aligned with quorumNumbers (0n where not a member). */
  stakes: bigint[];
}

/** One signature held by a digest aggregate. */
export interface HeldSignature {
  operator: TaskOperator;
  signature: G1Point;
}

/**
 * Signatures over one digest.
 * Invariant: `verifiedSig` is the multiplicity-weighted sum of the `verified` signatures.
 * The weighted G2 key sum is computed on demand (see {@link DigestAggregate.apkG2}).
 */
export class DigestAggregate {
  readonly digest: `0x${string}`;
  readonly h: G1Point;
  readonly verified = new Map<OperatorId, HeldSignature>();
  readonly pending = new Map<OperatorId, HeldSignature>();
  verifiedSig: G1Point = G1.ZERO;
  readonly verifiedStake: bigint[];
  readonly pendingStake: bigint[];
  /** Waiting in the service's verification queue. */
  queued = false;
  readonly #ops: TaskOperators;
  /** Bumped whenever the set verified ∪ pending changes (not when pending is committed). */
  #unionVersion = 0;
  #verifiedVersion = 0;
  #apkMemo: { key: string; apk: G2Point } | undefined;

  constructor(digest: `0x${string}`, ops: TaskOperators) {
    this.digest = digest;
    this.h = hashToG1(digest);
    this.#ops = ops;
    this.verifiedStake = new Array<bigint>(ops.totals.length).fill(0n);
    this.pendingStake = new Array<bigint>(ops.totals.length).fill(0n);
  }

  addPending(held: HeldSignature): void {
    this.pending.set(held.operator.id, held);
    addInto(this.pendingStake, held.operator.stakes, 1n);
    this.#unionVersion++;
  }

  removePending(id: OperatorId): HeldSignature | undefined {
    const held = this.pending.get(id);
    if (held === undefined) return undefined;
    this.pending.delete(id);
    addInto(this.pendingStake, held.operator.stakes, -1n);
    this.#unionVersion++;
    return held;
  }

  addVerified(held: HeldSignature): void {
    this.#addVerified(held);
    this.#unionVersion++;
  }

  #addVerified(held: HeldSignature): void {
    this.verified.set(held.operator.id, held);
    this.verifiedSig = this.verifiedSig.add(times(held.signature, BigInt(held.operator.multiplicity)));
    addInto(this.verifiedStake, held.operator.stakes, 1n);
    this.#verifiedVersion++;
  }

  /** Moves every pending signature to the verified set (after a successful check). */
  commitPending(): void {
    for (const held of this.pending.values()) this.#addVerified(held);
    this.pending.clear();
    this.pendingStake.fill(0n);
  }

  /**
   * Sum of k * pkG2 over the verified signers (or verified ∪ pending). Whichever is
   * cheaper: adding the signers' keys, or subtracting the non-signers' from the
   * task's cached total (with most operators signing, that is a handful of G2 additions).
   */
  apkG2(includePending: boolean): G2Point {
    const union = includePending || this.pending.size === 0;
    const key = union ? `u${this.#unionVersion}` : `v${this.#verifiedVersion}`;
    if (this.#apkMemo?.key === key) return this.#apkMemo.apk;
    const isSigner = (id: OperatorId) => this.verified.has(id) || (union && this.pending.has(id));
    const signerCount = this.verified.size + (union ? this.pending.size : 0);
    let apk: G2Point;
    if (signerCount * 2 >= this.#ops.memberCount) {
      apk = this.#ops.weightedApkG2();
      for (const op of this.#ops.members) {
        if (!isSigner(op.id)) apk = apk.subtract(times(op.info.publicKeyG2, BigInt(op.multiplicity)));
      }
    } else {
      apk = G2.ZERO;
      const add = (held: HeldSignature) => {
        apk = apk.add(times(held.operator.info.publicKeyG2, BigInt(held.operator.multiplicity)));
      };
      this.verified.forEach(add);
      if (union) this.pending.forEach(add);
    }
    this.#apkMemo = { key, apk };
    return apk;
  }

  /** The whole aggregate (verified and pending), weighted by multiplicity: what would go on-chain. */
  claim(): { h: G1Point; signature: G1Point; apkG2: G2Point } {
    let signature = this.verifiedSig;
    for (const held of this.pending.values()) {
      signature = signature.add(times(held.signature, BigInt(held.operator.multiplicity)));
    }
    return { h: this.h, signature, apkG2: this.apkG2(true) };
  }

  get signerCount(): number {
    return this.verified.size + this.pending.size;
  }
}

function times<P extends { multiplyUnsafe(k: bigint): P }>(p: P, k: bigint): P {
  return k === 1n ? p : p.multiplyUnsafe(k);
}

function addInto(acc: bigint[], values: readonly bigint[], sign: bigint): void {
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as bigint) + sign * (values[i] as bigint);
}

/** signed * 100 >= total * pct for every quorum. */
export function meetsThresholds(
  signed: readonly bigint[],
  totals: readonly bigint[],
  pcts: readonly number[],
): boolean {
  for (let i = 0; i < totals.length; i++) {
    if ((signed[i] as bigint) * 100n < (totals[i] as bigint) * BigInt(pcts[i] as number)) return false;
  }
  return true;
}

/** Operator ids already checked against their G1 keys, per info object (providers usually reuse them). */
// Keyed by the G1 key object: providers keep key objects across blocks (keys never change), while
// the OperatorInfo objects are new for each block.
const idOfKey = new WeakMap<G1Point, OperatorId>();

function checkedId(info: OperatorInfo): OperatorId {
  const id = info.operatorId.toLowerCase() as OperatorId;
  let computed = idOfKey.get(info.publicKeyG1);
  if (computed === undefined) {
    computed = operatorIdFromPublicKey(info.publicKeyG1);
    idOfKey.set(info.publicKeyG1, computed);
  }
  if (computed !== id) throw new OperatorStateError(`operator ${id}: its id is not keccak256 of its G1 key`);
  return id;
}

/**
 * Weighted G2 totals of recent member sets (with their line tables, see prepareG2). The set of
 * members and their multiplicities rarely changes from one block to the next, so tasks at new
 * reference blocks usually find their total here. Small and bounded.
 */
const recentTotals = new Map<string, { keys: G2Point[]; total: G2Point }>();
const RECENT_TOTALS = 16;

export function weightedTotal(members: readonly TaskOperator[]): G2Point {
  const key = members.map((m) => `${m.id}*${m.multiplicity}`).join(',');
  const hit = recentTotals.get(key);
  // Same ids must also mean the same keys: compare the G2 points (by identity, else by value).
  const sameKeys = (keys: readonly G2Point[]) =>
    keys.every((k, i) => k === members[i]?.info.publicKeyG2 || k.equals(members[i]!.info.publicKeyG2));
  if (hit !== undefined && sameKeys(hit.keys)) {
    recentTotals.delete(key);
    recentTotals.set(key, hit); // most recently used last
    prepareG2(hit.total); // a no-op unless the backend changed since (each keeps its own tables)
    return hit.total;
  }
  let total = G2.ZERO;
  for (const op of members) total = total.add(times(op.info.publicKeyG2, BigInt(op.multiplicity)));
  // With full participation the signers' key is this very point: keep its line table.
  prepareG2(total);
  recentTotals.set(key, { keys: members.map((m) => m.info.publicKeyG2), total });
  if (recentTotals.size > RECENT_TOTALS) {
    const oldest = recentTotals.keys().next().value;
    if (oldest !== undefined) recentTotals.delete(oldest);
  }
  return total;
}

const indexCache = new WeakMap<OperatorSetState, Map<string, TaskOperators>>();

/**
 * The indexed operator set for a state and quorum list. Immutable, so it is cached
 * per state object: tasks at a block the provider already answered share it.
 */
export function taskOperatorsFor(quorumNumbers: readonly number[], state: OperatorSetState): TaskOperators {
  let byQuorums = indexCache.get(state);
  if (byQuorums === undefined) {
    byQuorums = new Map();
    indexCache.set(state, byQuorums);
  }
  const key = quorumNumbers.join(',');
  let ops = byQuorums.get(key);
  if (ops === undefined) {
    ops = new TaskOperators(quorumNumbers, state);
    byQuorums.set(key, ops);
  }
  return ops;
}

/** The loaded operator set of a task, indexed for signature processing. Immutable after construction. */
export class TaskOperators {
  readonly byId = new Map<OperatorId, TaskOperator>();
  /** Members of at least one task quorum. */
  readonly members: TaskOperator[] = [];
  readonly totals: bigint[];
  readonly quorumApks: G1Point[];
  #weightedApkG2: G2Point | undefined;

  constructor(quorumNumbers: readonly number[], state: OperatorSetState) {
    const q = quorumNumbers;
    const perQuorum: TaskOperator[][] = q.map(() => []);
    for (const info of state.operators) {
      const id = checkedId(info);
      if (this.byId.has(id)) throw new OperatorStateError(`operator ${id} is listed twice`);
      const stakes = q.map((n) => info.stakes.get(n) ?? 0n);
      if (stakes.some((s) => s < 0n)) throw new OperatorStateError(`operator ${id}: negative stake`);
      const op: TaskOperator = { id, info, multiplicity: 0, stakes };
      q.forEach((n, i) => {
        if (info.stakes.has(n)) {
          op.multiplicity++;
          perQuorum[i]?.push(op);
        }
      });
      if (op.multiplicity > 0) this.members.push(op);
      this.byId.set(id, op);
    }
    this.totals = [];
    this.quorumApks = [];
    q.forEach((n, i) => {
      const quorum = state.quorums.find((x) => x.quorumNumber === n);
      if (quorum === undefined) throw new OperatorStateError(`quorum ${n} missing from the operator state`);
      if (quorum.totalStake < 0n) throw new OperatorStateError(`quorum ${n}: negative total stake`);
      this.totals.push(quorum.totalStake);
      this.quorumApks.push(
        quorum.aggregatePublicKeyG1 ??
          aggregatePublicKeysG1((perQuorum[i] ?? []).map((m) => m.info.publicKeyG1)),
      );
    });
  }

  get memberCount(): number {
    return this.members.length;
  }

  /** Sum of k * pkG2 over all members (computed once, or found among recent member sets). */
  weightedApkG2(): G2Point {
    if (this.#weightedApkG2 === undefined) this.#weightedApkG2 = weightedTotal(this.members);
    return this.#weightedApkG2;
  }
}

/** Builds the on-chain-shaped result from a digest's verified signers. */
export function buildAggregatedResult(
  params: TaskParams,
  ops: TaskOperators,
  agg: DigestAggregate,
): AggregatedResult {
  const byUint = (a: OperatorId, b: OperatorId) => {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const nonSigners = [...ops.byId.values()]
    .filter((o) => o.multiplicity > 0 && !agg.verified.has(o.id))
    .map((o) => o.id)
    .sort(byUint);
  return {
    status: 'aggregated',
    taskIndex: params.taskIndex,
    referenceBlock: params.referenceBlock,
    digest: agg.digest,
    quorumNumbers: [...params.quorumNumbers],
    nonSignerPublicKeysG1: nonSigners.map((id) => (ops.byId.get(id) as TaskOperator).info.publicKeyG1),
    nonSignerOperatorIds: nonSigners,
    quorumApksG1: [...ops.quorumApks],
    signersApkG2: agg.apkG2(false),
    signersAggSigG1: agg.verifiedSig,
    signerOperatorIds: [...agg.verified.keys()].sort(byUint),
    signedStakePerQuorum: [...agg.verifiedStake],
    totalStakePerQuorum: [...ops.totals],
  };
}

/** The digest closest to its thresholds: the highest minimum over quorums of signed/total, then most signers. */
export function bestProgress(
  ops: TaskOperators | undefined,
  digests: Iterable<DigestAggregate>,
): BestProgress | null {
  if (ops === undefined) return null;
  let best: { agg: DigestAggregate; score: bigint; stake: bigint[] } | undefined;
  for (const agg of digests) {
    if (agg.signerCount === 0) continue;
    const stake = agg.verifiedStake.map((v, i) => v + (agg.pendingStake[i] as bigint));
    let score = -1n;
    stake.forEach((s, i) => {
      const total = ops.totals[i] as bigint;
      const ratio = total === 0n ? 10n ** 18n : (s * 10n ** 18n) / total;
      if (score < 0n || ratio < score) score = ratio;
    });
    if (
      best === undefined ||
      score > best.score ||
      (score === best.score && agg.signerCount > best.agg.signerCount)
    ) {
      best = { agg, score, stake };
    }
  }
  if (best === undefined) return null;
  return {
    digest: best.agg.digest,
    signedStakePerQuorum: best.stake,
    totalStakePerQuorum: [...ops.totals],
    signerCount: best.agg.signerCount,
  };
}
