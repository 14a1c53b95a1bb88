import {
  keccak256,
  type Provider,
  type Signer,
  type TransactionReceipt,
  type TransactionRequest,
} from 'ethers';
import { ChainError, ContractRevertError, InvalidArgumentError } from './errors.js';
import { type RetryOptions, withRetry } from './retry.js';
import { decodeRevert } from './revert.js';

export interface TransactionSenderOptions {
  signer: Signer;
  retry?: RetryOptions;
  /** Extra gas over the estimate, percent; default 25 (the contracts revert rather than fail cheaply on low gas). */
  gasMarginPercent?: number;
  /** Confirmations to wait for; default 1. */
  confirmations?: number;
  /** Give up waiting for a receipt after this many ms; default 120000. */
  receiptTimeoutMs?: number;
  /** How often to poll for the receipt, ms; default 100 (use ~1000 on a public chain). */
  receiptPollMs?: number;
  /** How long fee data (eth_feeHistory / gas price) is reused across transactions, ms; default 1000. */
  feeDataTtlMs?: number;
  /**
   * The block the simulation and gas estimate run against; default `latest`. `pending` for contracts that
   * need the transaction's own block (EigenLayer's `checkSignatures` wants the reference block strictly in
   * the past: a task created in the latest block can only be answered from the next one).
   */
  simulateAt?: 'latest' | 'pending';
  /**
   * Replace a transaction still unmined after this many ms: the same nonce and data, signed again
   * with fees raised by `bumpPercent` (whichever of the versions is mined is the answer; only one
   * can be). Default undefined: never (a local chain mines at once).
   */
  bumpAfterMs?: number;
  /** Fee increase of each replacement, percent; default 25 (nodes refuse replacements under +10 %). */
  bumpPercent?: number;
  /** Replacements of one transaction at most; default 5. After that it waits for one to be mined. */
  maxBumps?: number;
  /** Told of each replacement (logs, metrics, tests). */
  onReplaced?: (replaced: { what: string; nonce: number; hashes: readonly string[] }) => void;
}

/** A broadcast transaction: its nonce, and the hashes of every version sent (the first, then replacements). */
interface Sent {
  readonly nonce: number;
  readonly from: string;
  readonly hashes: string[];
}

/** What a transaction needs before it gets a nonce (found outside the one-at-a-time queue). */
interface Prepared {
  readonly request: { to: string; data: string };
  readonly from: string;
  readonly gasLimit: bigint;
  readonly pendingNonce: number;
  readonly fees: Pick<TransactionRequest, 'maxFeePerGas' | 'maxPriorityFeePerGas' | 'gasPrice'>;
}

/**
 * Sends transactions for one signer: simulates with eth_call, estimates gas (plus a margin) and
 * reads the node's pending nonce and (cached) fee data for each transaction concurrently; then,
 * one transaction at a time, assigns the nonce (max of its own counter and the pending count read
 * before, so a failed simulation never burns a nonce), signs once and broadcasts, re-broadcasting
 * the same bytes on transient errors (so a retry can never become a second transaction). Receipts
 * are awaited concurrently. Only the signing and one broadcast call are serialised, so many
 * transactions of one signer can be in flight even when each RPC call is slow.
 */
export class TransactionSender {
  readonly #signer: Signer;
  readonly #provider: Provider;
  readonly #retry: RetryOptions;
  readonly #margin: bigint;
  readonly #confirmations: number;
  readonly #timeoutMs: number;
  readonly #pollMs: number;
  readonly #feeTtlMs: number;
  readonly #blockTag: 'latest' | 'pending';
  readonly #bumpAfterMs: number | undefined;
  readonly #bumpPercent: bigint;
  readonly #maxBumps: number;
  readonly #onReplaced: TransactionSenderOptions['onReplaced'];
  #queue: Promise<unknown> = Promise.resolve();
  #nextNonce: number | undefined;
  #fees: { readonly at: number; readonly value: Promise<Prepared['fees']> } | undefined;

  constructor(options: TransactionSenderOptions) {
    if (!options.signer.provider)
      throw new InvalidArgumentError('the signer must be connected to a provider');
    this.#signer = options.signer;
    this.#provider = options.signer.provider;
    this.#retry = options.retry ?? {};
    this.#margin = BigInt(options.gasMarginPercent ?? 25);
    this.#confirmations = options.confirmations ?? 1;
    this.#timeoutMs = options.receiptTimeoutMs ?? 120_000;
    this.#pollMs = options.receiptPollMs ?? 100;
    this.#feeTtlMs = options.feeDataTtlMs ?? 1_000;
    this.#blockTag = options.simulateAt ?? 'latest';
    this.#bumpAfterMs = options.bumpAfterMs;
    this.#bumpPercent = BigInt(options.bumpPercent ?? 25);
    this.#maxBumps = options.maxBumps ?? 5;
    this.#onReplaced = options.onReplaced;
    if (this.#bumpPercent < 10n) throw new InvalidArgumentError('bumpPercent must be at least 10');
  }

  /**
   * Polls for the receipt until it has the wanted confirmations. (ethers' waitForTransaction
   * relies on a block subscription that misses the block when the transaction is mined between
   * its first receipt check and the subscription's first poll, which on an automining node
   * means waiting forever.)
   */
  async #waitForReceipt(
    sent: Sent,
    what: string,
    deadline: number,
    bumpAt = Number.POSITIVE_INFINITY,
  ): Promise<TransactionReceipt | 'dropped' | 'stuck'> {
    // The dropped check costs a call: at most once a second, after the first poll.
    let nextDropCheck = Date.now() + 250;
    for (;;) {
      const receipt = await this.#receiptOfAny(sent.hashes, what);
      if (receipt) {
        if (this.#confirmations <= 1) return receipt;
        const latest = await withRetry('eth_blockNumber', () => this.#provider.getBlockNumber(), this.#retry);
        if (latest - receipt.blockNumber + 1 >= this.#confirmations) return receipt;
      } else if (Date.now() >= nextDropCheck) {
        nextDropCheck = Date.now() + 1_000;
        if (await this.#nonceUsedByAnother(sent)) return 'dropped';
      }
      if (Date.now() > deadline)
        throw new ChainError(
          `${what}: no receipt for ${sent.hashes.join(' or ')} within ${this.#timeoutMs} ms`,
        );
      if (!receipt && Date.now() >= bumpAt) return 'stuck';
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs));
    }
  }

  /** The receipt of whichever version of a transaction was mined (at most one can be). */
  async #receiptOfAny(hashes: readonly string[], what: string): Promise<TransactionReceipt | null> {
    for (const hash of hashes) {
      const receipt = await withRetry(
        `${what} (receipt)`,
        () => this.#provider.getTransactionReceipt(hash),
        this.#retry,
      );
      if (receipt) return receipt;
    }
    return null;
  }

  /**
   * Waits for the receipt of `sent`, replacing it with higher fees each time it stays unmined for
   * `bumpAfterMs` (at most `maxBumps` times).
   */
  async #waitBumping(sent: Sent, prepared: Prepared, what: string): Promise<TransactionReceipt | 'dropped'> {
    const deadline = Date.now() + this.#timeoutMs;
    let fees = prepared.fees;
    for (let bumps = 0; ; ) {
      const bumpAt =
        this.#bumpAfterMs === undefined || bumps >= this.#maxBumps
          ? Number.POSITIVE_INFINITY
          : Date.now() + this.#bumpAfterMs;
      const receipt = await this.#waitForReceipt(sent, what, deadline, bumpAt);
      if (receipt !== 'stuck') return receipt;
      bumps++;
      fees = bumpedFees(fees, this.#bumpPercent);
      try {
        const hash = await this.#broadcastAt(
          { ...prepared, fees },
          sent.nonce,
          `${what} (replacement ${bumps})`,
        );
        if (!sent.hashes.includes(hash)) sent.hashes.push(hash);
        this.#onReplaced?.({ what, nonce: sent.nonce, hashes: [...sent.hashes] });
      } catch (error) {
        // The nonce was used meanwhile (a version of ours was mined, or another sender's: the next
        // wait tells which), or the node wants a larger bump (the next round bumps again).
        if (!isNonceTaken(error)) throw error;
      }
    }
  }

  /** The signer's address. */
  getAddress(): Promise<string> {
    return this.#signer.getAddress();
  }

  /**
   * Simulates `request` (eth_call from the signer) and returns the raw result.
   * @throws ContractRevertError with the decoded custom error.
   */
  async simulate(request: { to: string; data: string }, what: string): Promise<string> {
    const from = await this.#signer.getAddress();
    try {
      return await withRetry(
        `${what} (eth_call)`,
        () => this.#provider.call({ ...request, from, blockTag: this.#blockTag }),
        this.#retry,
      );
    } catch (error) {
      throw decodeRevert(error, what) ?? error;
    }
  }

  /**
   * Simulates, then sends `request` and waits for its receipt.
   * @throws ContractRevertError if the simulation or the mined transaction reverts (`receipt` in `cause`).
   */
  async send(request: { to: string; data: string }, what: string): Promise<TransactionReceipt> {
    const prepared = await this.#prepare(request, what);
    // Only nonce assignment, signing and broadcast are serialised; receipts are awaited outside
    // the queue, so several transactions of one signer are in flight at once.
    const broadcast = this.#queue.then(
      () => this.#broadcast(prepared, what),
      () => this.#broadcast(prepared, what),
    );
    this.#queue = broadcast.catch(() => undefined);
    let sent = await broadcast;
    let receipt = await this.#waitBumping(sent, prepared, what);
    // Another sender of the account got its transaction of the same nonce mined first: ours was dropped
    // (never mined), so it is signed again with a fresh nonce (bounded).
    for (let attempt = 1; receipt === 'dropped'; attempt++) {
      if (attempt >= MAX_NONCE_ATTEMPTS) {
        throw new ChainError(
          `${what}: transaction ${sent.hashes.join(' / ')} was replaced by another sender of ${sent.from}`,
        );
      }
      this.#nextNonce = undefined;
      const again = this.#queue.then(
        () => this.#broadcast({ ...prepared, pendingNonce: sent.nonce + 1 }, what),
        () => this.#broadcast({ ...prepared, pendingNonce: sent.nonce + 1 }, what),
      );
      this.#queue = again.catch(() => undefined);
      sent = await again;
      receipt = await this.#waitBumping(sent, prepared, what);
    }
    const hash = receipt.hash;
    if (receipt.status !== 1) {
      throw new ContractRevertError(`${what}: transaction ${hash} reverted on-chain`, undefined, [], {
        cause: receipt,
      });
    }
    return receipt;
  }

  /** Simulates and estimates gas; reads the pending nonce and fee data meanwhile. */
  async #prepare(request: { to: string; data: string }, what: string): Promise<Prepared> {
    const from = await this.#signer.getAddress();
    const pendingNonce = withRetry(
      'eth_getTransactionCount',
      () => this.#provider.getTransactionCount(from, 'pending'),
      this.#retry,
    );
    const fees = this.#feeData();
    // Nobody may be waiting for these if the simulation fails.
    pendingNonce.catch(() => undefined);
    fees.catch(() => undefined);
    await this.simulate(request, what);
    let gasLimit: bigint;
    try {
      const estimate = await withRetry(
        `${what} (estimateGas)`,
        () => this.#provider.estimateGas({ ...request, from, blockTag: this.#blockTag }),
        this.#retry,
      );
      gasLimit = (estimate * (100n + this.#margin)) / 100n;
    } catch (error) {
      throw decodeRevert(error, what) ?? error;
    }
    return { request, from, gasLimit, pendingNonce: await pendingNonce, fees: await fees };
  }

  /** Fee fields for a new transaction, shared by the transactions of `feeDataTtlMs`. */
  #feeData(): Promise<Prepared['fees']> {
    const now = Date.now();
    if (this.#fees === undefined || now - this.#fees.at > this.#feeTtlMs) {
      const value = withRetry('fee data', () => this.#provider.getFeeData(), this.#retry).then((f) =>
        f.maxFeePerGas != null && f.maxPriorityFeePerGas != null
          ? { maxFeePerGas: f.maxFeePerGas, maxPriorityFeePerGas: f.maxPriorityFeePerGas }
          : { gasPrice: f.gasPrice },
      );
      this.#fees = { at: now, value };
      // A failed read is not reused.
      value.catch(() => {
        if (this.#fees?.value === value) this.#fees = undefined;
      });
    }
    return this.#fees.value;
  }

  /**
   * Assigns the nonce, signs and broadcasts; returns the transaction hash. When the node refuses the
   * nonce as used (another sender of the same account took it: EigenLayer's aggregator key is shared
   * by every operator of a cluster, and by incredible-squaring's task generator), the transaction was
   * not accepted: it is signed again with the account's fresh pending nonce (bounded).
   */
  async #broadcast(p: Prepared, what: string): Promise<Sent> {
    let floor = p.pendingNonce;
    for (let attempt = 1; ; attempt++) {
      const nonce = Math.max(floor, this.#nextNonce ?? 0);
      try {
        const hash = await this.#broadcastAt(p, nonce, what);
        this.#nextNonce = nonce + 1;
        return { hashes: [hash], nonce, from: p.from };
      } catch (error) {
        if (!isNonceTaken(error) || attempt >= MAX_NONCE_ATTEMPTS) throw error;
        this.#nextNonce = undefined;
        floor = await withRetry(
          'eth_getTransactionCount',
          () => this.#provider.getTransactionCount(p.from, 'pending'),
          this.#retry,
        );
      }
    }
  }

  /** Whether the account's mined nonce passed ours while our transaction is not mined (nor known): dropped. */
  async #nonceUsedByAnother(sent: Sent): Promise<boolean> {
    const mined = await withRetry(
      'eth_getTransactionCount',
      () => this.#provider.getTransactionCount(sent.from, 'latest'),
      this.#retry,
    );
    if (mined <= sent.nonce) return false;
    // Mined in the meantime (between the receipt poll and the count)? Then not dropped.
    return (await this.#receiptOfAny(sent.hashes, 'receipt')) === null;
  }

  async #broadcastAt(p: Prepared, nonce: number, what: string): Promise<string> {
    const tx: TransactionRequest = { ...p.request, from: p.from, gasLimit: p.gasLimit, nonce, ...p.fees };
    const populated = await withRetry(
      `${what} (populate)`,
      () => this.#signer.populateTransaction(tx),
      this.#retry,
    );
    const signed = await this.#signer.signTransaction(populated);
    return withRetry(
      `${what} (broadcast)`,
      async () => {
        try {
          return (await this.#provider.broadcastTransaction(signed)).hash;
        } catch (error) {
          // A retry after a lost answer: the node may already have it.
          const known = await this.#provider.getTransaction(keccak256(signed)).catch(() => null);
          if (known) return known.hash;
          throw error;
        }
      },
      this.#retry,
    );
  }
}

/** Fees raised by `percent` (rounded up), for a replacement of a stuck transaction. */
function bumpedFees(fees: Prepared['fees'], percent: bigint): Prepared['fees'] {
  const up = (v: unknown): bigint | null =>
    v == null ? null : (BigInt(v as bigint) * (100n + percent) + 99n) / 100n;
  return fees.gasPrice != null
    ? { gasPrice: up(fees.gasPrice) }
    : { maxFeePerGas: up(fees.maxFeePerGas), maxPriorityFeePerGas: up(fees.maxPriorityFeePerGas) };
}

/** Attempts at a fresh nonce when another sender of the account took ours. */
const MAX_NONCE_ATTEMPTS = 5;

/** Whether a broadcast failed because its nonce is used (by a mined or pending transaction of another sender). */
function isNonceTaken(error: unknown): boolean {
  if ((error as { code?: unknown })?.code === 'NONCE_EXPIRED') return true;
  const text = `${(error as { message?: unknown })?.message ?? ''} ${(error as { error?: { message?: unknown } })?.error?.message ?? ''}`;
  return /nonce too low|nonce has already been used|replacement transaction underpriced|already known/i.test(
    text,
  );
}
