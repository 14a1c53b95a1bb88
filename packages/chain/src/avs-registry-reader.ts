import type { OperatorId } from '@avs/bls';
import { operatorRegistryAbi } from '@avs/contracts';
import { Contract, type InterfaceAbi } from 'ethers';
import { z } from 'zod';
import type { OperatorEndpoints } from './operator-registry-reader.js';
import { g1FromChain, g2FromChain } from './points.js';
import {
  type OperatorKeys,
  type RegistryReaderOptions,
  RetrieverBackedReader,
  toPlain,
} from './retriever-reader.js';

const endpointsSchema = z.object({ raftUrl: z.string(), httpUrl: z.string() });

/**
 * {@link OperatorRegistryReader} for this project's OperatorRegistry + OperatorStateRetriever:
 * keys from `getOperatorKeys`, endpoints from the per-block endpoint history (so they are exact at
 * any past block).
 */
export class AvsRegistryReader extends RetrieverBackedReader {
  readonly #registry: Contract;

  /** @param options `registryCoordinator` is the OperatorRegistry address. */
  constructor(options: RegistryReaderOptions) {
    super(options);
    this.#registry = new Contract(
      this.registryCoordinator,
      operatorRegistryAbi as InterfaceAbi,
      options.provider,
    );
  }

  protected async fetchKeys(operatorId: OperatorId): Promise<OperatorKeys> {
    const [address, g1, g2] = (await this.call('getOperatorKeys', () =>
      this.#registry.getFunction('getOperatorKeys')(operatorId),
    )) as [string, { X: bigint; Y: bigint }, { X: bigint[]; Y: bigint[] }];
    return {
      address,
      publicKeyG1: g1FromChain(g1, `G1 key of ${operatorId}`),
      publicKeyG2: g2FromChain(g2, `G2 key of ${operatorId}`),
    };
  }

  protected async fetchEndpoints(
    operatorId: OperatorId,
    _address: string,
    blockNumber: number,
  ): Promise<OperatorEndpoints | null> {
    const raw = await this.call('getEndpointsAtBlockNumber', () =>
      this.#registry.getFunction('getEndpointsAtBlockNumber')(operatorId, blockNumber),
    );
    const parsed = endpointsSchema.safeParse(toPlain(raw));
    if (!parsed.success || parsed.data.raftUrl === '' || parsed.data.httpUrl === '') return null;
    return { raftUrl: parsed.data.raftUrl, httpUrl: parsed.data.httpUrl };
  }
}
