import { type G1Point, type G2Point, type OperatorId, operatorIdFromPublicKey } from '@avs/bls';
import type { OperatorInfo, OperatorSetState } from '@avs/bls/aggregation';
import { Contract, getAddress, isAddress, type Provider, Result, ZeroHash } from 'ethers';
import { z } from 'zod';
import { eigenLayerOperatorStateRetrieverAbi, registryCoordinatorAbi } from './eigenlayer-abis.js';
import { InvalidArgumentError, InvalidChainDataError } from './errors.js';
import type {
  CheckSignaturesIndices,
  OperatorEndpoints,
  OperatorRecord,
  OperatorRegistryReader,
} from './operator-registry-reader.js';
import { checkBlockNumber, quorumNumbersToBytes } from './quorums.js';
import { type RetryOptions, withRetry } from './retry.js';

/** Options shared by both readers. */
export interface RegistryReaderOptions {
  provider: Provider;
  /** Ours: the OperatorRegistry address. EigenLayer: the RegistryCoordinator. */
  registryCoordinator: string;
  /** The OperatorStateRetriever (ours or EigenLayer's: same ABI). */
  operatorStateRetriever: string;
  retry?: RetryOptions;
  /** Operator-state snapshots kept in memory (per block and quorum set); default 64. */
  cacheSize?: number;
}

const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/);
const operatorRow = z.object({
  operator: z.string().refine((a) => isAddress(a), 'an address'),
  operatorId: bytes32,
  stake: z.bigint().nonnegative(),
});
const stateRows = z.array(z.array(operatorRow));
const indexArray = z.array(z.bigint().nonnegative().max(0xffffffffn)).transform((a) => a.map(Number));

/** Keys of one operator, validated, with the address that registered them. */
export interface OperatorKeys {
  address: string;
  publicKeyG1: G1Point;
  publicKeyG2: G2Point;
}

/** ethers Result -> plain arrays and objects (deep), so zod sees plain data. */
export function toPlain(value: unknown): unknown {
  if (!(value instanceof Result)) return value;
  let named: Record<string, unknown> | null = null;
  try {
    named = value.toObject(false);
  } catch {
    named = null; // unnamed members: an array
  }
  // Unnamed members come back under the key "_": then it is an array.
  const keys = named ? Object.keys(named) : [];
  if (
    named &&
    keys.length === value.length &&
    keys.length > 0 &&
    keys.every((k) => k !== '_' && !/^\d+$/.test(k))
  ) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(named)) out[k] = toPlain(v);
    return out;
  }
  return Array.from(value, toPlain);
}

/**
 * The shared implementation: operator state from an OperatorStateRetriever, ids from a
 * RegistryCoordinator-shaped contract; keys and endpoints come from the subclass.
 */
export abstract class RetrieverBackedReader implements OperatorRegistryReader {
  readonly registryCoordinator: string;
  protected readonly provider: Provider;
  protected readonly coordinator: Contract;
  protected readonly retriever: Contract;
  protected readonly retryOptions: RetryOptions;
  readonly #states = new Map<string, Promise<OperatorSetState>>();
  readonly #keys = new Map<string, Promise<OperatorKeys>>();
  readonly #cacheSize: number;

  constructor(options: RegistryReaderOptions) {
    for (const [name, value] of [
      ['registryCoordinator', options.registryCoordinator],
      ['operatorStateRetriever', options.operatorStateRetriever],
    ] as const) {
      if (!isAddress(value))
        throw new InvalidArgumentError(`${name} must be an address, got ${String(value)}`);
    }
    this.provider = options.provider;
    this.registryCoordinator = getAddress(options.registryCoordinator);
    this.coordinator = new Contract(this.registryCoordinator, registryCoordinatorAbi, options.provider);
    this.retriever = new Contract(
      options.operatorStateRetriever,
      eigenLayerOperatorStateRetrieverAbi,
      options.provider,
    );
    this.retryOptions = options.retry ?? {};
    this.#cacheSize = options.cacheSize ?? 64;
  }

  /** The operator's keys (immutable once registered, so cached). */
  protected abstract fetchKeys(operatorId: OperatorId, address: string): Promise<OperatorKeys>;

  /** The operator's endpoints at `blockNumber`, or null. */
  protected abstract fetchEndpoints(
    operatorId: OperatorId,
    address: string,
    blockNumber: number,
  ): Promise<OperatorEndpoints | null>;

  protected call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(what, fn, this.retryOptions);
  }

  async getBlockNumber(): Promise<number> {
    return this.call('eth_blockNumber', () => this.provider.getBlockNumber());
  }

  protected keysOf(operatorId: OperatorId, address: string): Promise<OperatorKeys> {
    let p = this.#keys.get(operatorId);
    if (!p) {
      p = this.fetchKeys(operatorId, address).then((keys) => {
        if (operatorIdFromPublicKey(keys.publicKeyG1) !== operatorId) {
          throw new InvalidChainDataError(`operator ${operatorId}: its G1 key does not hash to its id`);
        }
        return keys;
      });
      p.catch(() => this.#keys.delete(operatorId));
      this.#keys.set(operatorId, p);
    }
    return p;
  }

  getOperatorState(referenceBlock: number, quorumNumbers: readonly number[]): Promise<OperatorSetState> {
    checkBlockNumber(referenceBlock);
    const bytes = quorumNumbersToBytes(quorumNumbers);
    const key = `${referenceBlock}:${quorumNumbers.join(',')}`;
    let p = this.#states.get(key);
    if (!p) {
      p = this.#loadState(referenceBlock, quorumNumbers, bytes);
      p.catch(() => this.#states.delete(key));
      this.#states.set(key, p);
      if (this.#states.size > this.#cacheSize) {
        const oldest = this.#states.keys().next().value;
        if (oldest !== undefined) this.#states.delete(oldest);
      }
    }
    return p;
  }

  async #loadState(
    referenceBlock: number,
    quorumNumbers: readonly number[],
    bytes: Uint8Array,
  ): Promise<OperatorSetState> {
    const raw = await this.call('getOperatorState', () =>
      this.retriever.getFunction('getOperatorState(address,bytes,uint32)')(
        this.registryCoordinator,
        bytes,
        referenceBlock,
      ),
    );
    const parsed = stateRows.safeParse(toPlain(raw));
    if (!parsed.success || parsed.data.length !== quorumNumbers.length) {
      throw new InvalidChainDataError(
        `getOperatorState returned an unexpected shape: ${parsed.error?.message ?? 'wrong length'}`,
      );
    }
    const byId = new Map<string, { address: string; stakes: Map<number, bigint> }>();
    const quorums = parsed.data.map((rows, i) => {
      const q = quorumNumbers[i]!;
      let total = 0n;
      for (const row of rows) {
        const id = row.operatorId.toLowerCase();
        const entry = byId.get(id) ?? {
          address: getAddress(row.operator),
          stakes: new Map<number, bigint>(),
        };
        entry.stakes.set(q, row.stake);
        byId.set(id, entry);
        total += row.stake;
      }
      return { quorumNumber: q, totalStake: total };
    });
    const operators: OperatorInfo[] = await Promise.all(
      [...byId].map(async ([id, entry]) => {
        const keys = await this.keysOf(id as OperatorId, entry.address);
        return {
          operatorId: id as OperatorId,
          publicKeyG1: keys.publicKeyG1,
          publicKeyG2: keys.publicKeyG2,
          stakes: entry.stakes,
        };
      }),
    );
    return { operators, quorums };
  }

  async getOperatorById(operatorId: string, blockNumber?: number): Promise<OperatorRecord | null> {
    const id = bytes32.safeParse(operatorId);
    if (!id.success)
      throw new InvalidArgumentError(
        `operatorId must be 0x + 64 hex digits, got ${String(operatorId).slice(0, 80)}`,
      );
    const address: string = await this.call('getOperatorFromId', () =>
      this.coordinator.getFunction('getOperatorFromId')(operatorId),
    );
    if (
      !isAddress(address) ||
      getAddress(address) === getAddress('0x0000000000000000000000000000000000000000')
    )
      return null;
    return this.#record(id.data.toLowerCase() as OperatorId, getAddress(address), blockNumber);
  }

  async getOperator(address: string, blockNumber?: number): Promise<OperatorRecord | null> {
    if (!isAddress(address))
      throw new InvalidArgumentError(`expected an address, got ${String(address).slice(0, 80)}`);
    const id: string = await this.call('getOperatorId', () =>
      this.coordinator.getFunction('getOperatorId')(address),
    );
    if (id === ZeroHash) return null;
    return this.#record(id.toLowerCase() as OperatorId, getAddress(address), blockNumber);
  }

  async isRegisteredOperator(address: string, blockNumber?: number): Promise<boolean> {
    return (await this.getOperator(address, blockNumber)) !== null;
  }

  async #record(
    operatorId: OperatorId,
    address: string,
    blockNumber: number | undefined,
  ): Promise<OperatorRecord | null> {
    const block = checkBlockNumber(blockNumber ?? (await this.getBlockNumber()));
    let result: unknown;
    try {
      result = await this.call('getOperatorState', () =>
        this.retriever.getFunction('getOperatorState(address,bytes32,uint32)')(
          this.registryCoordinator,
          operatorId,
          block,
        ),
      );
    } catch (error) {
      // EigenLayer reverts when the operator has no bitmap history at that block: not registered then.
      if ((error as { code?: string }).code === 'CALL_EXCEPTION') return null;
      throw error;
    }
    const plain = toPlain(result) as unknown[];
    const bitmap = z.bigint().safeParse(plain[0]);
    const rows = stateRows.safeParse(plain[1]);
    if (!bitmap.success || !rows.success)
      throw new InvalidChainDataError('getOperatorState(operatorId) returned an unexpected shape');
    if (bitmap.data === 0n) return null;
    const quorums: number[] = [];
    for (let q = 0; q < 192; q++) if ((bitmap.data >> BigInt(q)) & 1n) quorums.push(q);
    const stakes = new Map<number, bigint>();
    rows.data.forEach((list, i) => {
      const own = list.find((r) => r.operatorId.toLowerCase() === operatorId);
      if (own && quorums[i] !== undefined) stakes.set(quorums[i]!, own.stake);
    });
    const [keys, endpoints] = await Promise.all([
      this.keysOf(operatorId, address),
      this.fetchEndpoints(operatorId, address, block),
    ]);
    return {
      address,
      operatorId,
      publicKeyG1: keys.publicKeyG1,
      publicKeyG2: keys.publicKeyG2,
      stakes,
      endpoints,
    };
  }

  async getCheckSignaturesIndices(
    referenceBlock: number,
    quorumNumbers: readonly number[],
    nonSignerOperatorIds: readonly string[],
  ): Promise<CheckSignaturesIndices> {
    checkBlockNumber(referenceBlock);
    const bytes = quorumNumbersToBytes(quorumNumbers);
    const raw = await this.call('getCheckSignaturesIndices', () =>
      this.retriever.getFunction('getCheckSignaturesIndices')(
        this.registryCoordinator,
        referenceBlock,
        bytes,
        [...nonSignerOperatorIds],
      ),
    );
    const parsed = z
      .object({
        nonSignerQuorumBitmapIndices: indexArray,
        quorumApkIndices: indexArray,
        totalStakeIndices: indexArray,
        nonSignerStakeIndices: z.array(indexArray),
      })
      .safeParse(toPlain(raw));
    if (!parsed.success)
      throw new InvalidChainDataError(
        `getCheckSignaturesIndices returned an unexpected shape: ${parsed.error.message}`,
      );
    return parsed.data;
  }
}

/**
 * Parses an operator socket: "<raftUrl> <httpUrl>" (this project's registry), or a single URL
 * used for both. Returns null for anything else (a socket is free-form on EigenLayer).
 */
export function parseSocket(socket: string): OperatorEndpoints | null {
  const parts = socket.trim().split(/\s+/).filter(Boolean);
  if (parts.length < 1 || parts.length > 2) return null;
  const urls = z.array(z.url()).safeParse(parts);
  if (!urls.success) return null;
  return { raftUrl: urls.data[0]!, httpUrl: urls.data[1] ?? urls.data[0]! };
}
