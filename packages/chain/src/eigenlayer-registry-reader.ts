import type { OperatorId } from '@avs/bls';
import { Contract, getAddress, Interface, isAddress, type Log, zeroPadValue } from 'ethers';
import { m2BlsApkRegistryAbi, m2RegistryCoordinatorAbi } from './eigenlayer/m2-abis.js';
import { blsApkRegistryAbi, socketRegistryAbi } from './eigenlayer-abis.js';
import { InvalidChainDataError } from './errors.js';
import type { OperatorEndpoints } from './operator-registry-reader.js';
import { g1FromChain, g2FromChain } from './points.js';
import {
  type OperatorKeys,
  parseSocket,
  type RegistryReaderOptions,
  RetrieverBackedReader,
} from './retriever-reader.js';

export interface EigenLayerRegistryReaderOptions extends RegistryReaderOptions {
  /** BLSApkRegistry address; default: `registryCoordinator.blsApkRegistry()`. */
  blsApkRegistry?: string;
  /** SocketRegistry address; default: `registryCoordinator.socketRegistry()` (absent before middleware v1.x: endpoints are then null). */
  socketRegistry?: string;
  /**
   * `v1` (default): middleware v1.x (G2 keys from `getOperatorPubkeyG2`, sockets from the SocketRegistry, retriever rows
   * with addresses). `m2`: M2 middleware, as deployed by incredible-squaring (G2 keys from `NewPubkeyRegistration`
   * events, sockets from `OperatorSocketUpdate` events; its OperatorStateRetriever returns rows with addresses, as v1).
   */
  middleware?: 'v1' | 'm2';
  /** First block scanned for M2 registry events (the deployment block); default 0. */
  fromBlock?: number;
}

const m2Apk = new Interface(m2BlsApkRegistryAbi);
const m2Coordinator = new Interface(m2RegistryCoordinatorAbi);

/**
 * {@link OperatorRegistryReader} for EigenLayer middleware: RegistryCoordinator,
 * OperatorStateRetriever, BLSApkRegistry (`getRegisteredPubkey`, `getOperatorPubkeyG2`) and
 * SocketRegistry (`getOperatorSocket`). Limits: EigenLayer keeps no socket history, so endpoints
 * are the current ones whatever the block; a socket that is not "<url>" or "<raftUrl> <httpUrl>"
 * gives `endpoints: null`.
 */
export class EigenLayerRegistryReader extends RetrieverBackedReader {
  readonly #options: EigenLayerRegistryReaderOptions;
  #apkRegistry: Promise<Contract> | undefined;
  #socketRegistry: Promise<Contract | null> | undefined;

  constructor(options: EigenLayerRegistryReaderOptions) {
    super(options);
    this.#options = options;
  }

  /** Logs of one contract with these topics, from `fromBlock` to `toBlock` (default latest). */
  protected async logs(address: string, topics: (string | null)[], toBlock?: number): Promise<Log[]> {
    return this.call('eth_getLogs', () =>
      this.provider.getLogs({
        address,
        topics,
        fromBlock: this.#options.fromBlock ?? 0,
        toBlock: toBlock ?? 'latest',
      }),
    );
  }

  #apk(): Promise<Contract> {
    this.#apkRegistry ??= (async () => {
      const address =
        this.#options.blsApkRegistry ??
        ((await this.call('blsApkRegistry', () =>
          this.coordinator.getFunction('blsApkRegistry')(),
        )) as string);
      if (!isAddress(address))
        throw new InvalidChainDataError(`blsApkRegistry() returned ${String(address)}`);
      return new Contract(address, blsApkRegistryAbi, this.provider);
    })();
    this.#apkRegistry.catch(() => {
      this.#apkRegistry = undefined;
    });
    return this.#apkRegistry;
  }

  #sockets(): Promise<Contract | null> {
    this.#socketRegistry ??= (async () => {
      let address = this.#options.socketRegistry;
      if (!address) {
        try {
          address = (await this.call('socketRegistry', () =>
            this.coordinator.getFunction('socketRegistry')(),
          )) as string;
        } catch {
          return null; // older coordinators have no socket registry
        }
      }
      return isAddress(address) ? new Contract(address, socketRegistryAbi, this.provider) : null;
    })();
    return this.#socketRegistry;
  }

  protected async fetchKeys(operatorId: OperatorId, address: string): Promise<OperatorKeys> {
    const apk = await this.#apk();
    if (this.#options.middleware === 'm2') {
      // M2 keeps the G2 key only in the registration event (as eigensdk-go's reader finds it).
      const topic = m2Apk.getEvent('NewPubkeyRegistration')!.topicHash;
      const logs = await this.logs(await apk.getAddress(), [topic, zeroPadValue(address, 32)]);
      const last = logs.at(-1);
      if (!last) throw new InvalidChainDataError(`no NewPubkeyRegistration event for ${address}`);
      const parsed = m2Apk.parseLog(last)!;
      return {
        address: getAddress(address),
        publicKeyG1: g1FromChain(parsed.args.pubkeyG1, `G1 key of ${operatorId}`),
        publicKeyG2: g2FromChain(parsed.args.pubkeyG2, `G2 key of ${operatorId}`),
      };
    }
    const [g1Result, g2Result] = await Promise.all([
      this.call('getRegisteredPubkey', () => apk.getFunction('getRegisteredPubkey')(address)),
      this.call('getOperatorPubkeyG2', () => apk.getFunction('getOperatorPubkeyG2')(address)),
    ]);
    return {
      address,
      publicKeyG1: g1FromChain(g1Result[0], `G1 key of ${operatorId}`),
      publicKeyG2: g2FromChain(g2Result, `G2 key of ${operatorId}`),
    };
  }

  protected async fetchEndpoints(
    operatorId: OperatorId,
    _address: string,
    blockNumber: number,
  ): Promise<OperatorEndpoints | null> {
    if (this.#options.middleware === 'm2') {
      // M2 keeps sockets only in events: the last update at or before the block.
      const topic = m2Coordinator.getEvent('OperatorSocketUpdate')!.topicHash;
      const logs = await this.logs(this.registryCoordinator, [topic, operatorId], blockNumber);
      const last = logs.at(-1);
      if (!last) return null;
      const socket: unknown = m2Coordinator.parseLog(last)?.args.socket;
      return typeof socket === 'string' ? parseSocket(socket) : null;
    }
    const sockets = await this.#sockets();
    if (!sockets) return null;
    const socket: unknown = await this.call('getOperatorSocket', () =>
      sockets.getFunction('getOperatorSocket')(operatorId),
    );
    return typeof socket === 'string' ? parseSocket(socket) : null;
  }
}
