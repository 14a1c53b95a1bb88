import type { OperatorId } from '@avs/bls';
import { Contract, isAddress } from 'ethers';
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
}

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

  protected async fetchEndpoints(operatorId: OperatorId): Promise<OperatorEndpoints | null> {
    const sockets = await this.#sockets();
    if (!sockets) return null;
    const socket: unknown = await this.call('getOperatorSocket', () =>
      sockets.getFunction('getOperatorSocket')(operatorId),
    );
    return typeof socket === 'string' ? parseSocket(socket) : null;
  }
}
