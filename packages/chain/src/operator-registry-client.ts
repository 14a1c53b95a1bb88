import {
  type BlsKeyPair,
  g1ToSolidity,
  g2ToSolidity,
  hashToG1,
  makePubkeyRegistrationParams,
} from '@avs/bls';
import { operatorRegistryAbi } from '@avs/contracts';
import {
  AbiCoder,
  getAddress,
  Interface,
  type InterfaceAbi,
  isAddress,
  keccak256,
  type TransactionReceipt,
  toUtf8Bytes,
} from 'ethers';
import { normalizeEndpoints } from './endpoints.js';
import { InvalidArgumentError } from './errors.js';
import type { OperatorEndpoints } from './operator-registry-reader.js';
import { quorumNumbersToBytes } from './quorums.js';
import { TransactionSender, type TransactionSenderOptions } from './transaction-sender.js';

const iface = new Interface(operatorRegistryAbi as InterfaceAbi);

/** OperatorRegistry.PUBKEY_REGISTRATION_DOMAIN. */
export const PUBKEY_REGISTRATION_DOMAIN = keccak256(
  toUtf8Bytes('avs-raft.OperatorRegistry.pubkeyRegistration.v1'),
);

/**
 * The digest behind an operator's proof of possession, as OperatorRegistry computes it:
 * keccak256(abi.encode(domain, chainId, registry, operator)). The signed point is hashToG1(digest).
 */
export function pubkeyRegistrationDigest(
  chainId: bigint | number,
  registry: string,
  operator: string,
): `0x${string}` {
  return keccak256(
    AbiCoder.defaultAbiCoder().encode(
      ['bytes32', 'uint256', 'address', 'address'],
      [PUBKEY_REGISTRATION_DOMAIN, chainId, registry, operator],
    ),
  ) as `0x${string}`;
}

/**
 * Writes to this project's OperatorRegistry: register (with proof of possession), deregister,
 * change endpoints, and the owner's stake stub.
 */
export class OperatorRegistryClient {
  readonly address: string;
  readonly #sender: TransactionSender;

  /** @param options.signer The operator (or, for setOperatorStake, the owner). */
  constructor(options: { registry: string } & TransactionSenderOptions) {
    if (!isAddress(options.registry))
      throw new InvalidArgumentError(`registry must be an address, got ${options.registry}`);
    this.address = getAddress(options.registry);
    this.#sender = new TransactionSender(options);
  }

  /**
   * Registers the signer in `quorumNumbers` with its BLS key (proof of possession made here) and
   * endpoints (normalised). A later call for more quorums reuses the key already bound.
   * @throws InvalidArgumentError, ContractRevertError (EndpointTaken, PubkeyAlreadyRegistered, ...).
   */
  async registerOperator(params: {
    keyPair: BlsKeyPair;
    quorumNumbers: number[];
    endpoints: OperatorEndpoints;
    chainId: bigint | number;
  }): Promise<TransactionReceipt> {
    const operator = await this.#sender.getAddress();
    const endpoints = normalizeEndpoints(params.endpoints);
    const point = hashToG1(pubkeyRegistrationDigest(params.chainId, this.address, operator));
    const p = makePubkeyRegistrationParams(params.keyPair, point);
    const data = iface.encodeFunctionData('registerOperator', [
      quorumNumbersToBytes(params.quorumNumbers),
      endpoints.raftUrl,
      endpoints.httpUrl,
      {
        pubkeyRegistrationSignature: g1ToSolidity(p.pubkeyRegistrationSignature),
        pubkeyG1: g1ToSolidity(p.pubkeyG1),
        pubkeyG2: g2ToSolidity(p.pubkeyG2),
      },
    ]);
    return this.#sender.send({ to: this.address, data }, 'registerOperator');
  }

  /** Leaves `quorumNumbers`; leaving the last one frees the endpoints. */
  deregisterOperator(quorumNumbers: number[]): Promise<TransactionReceipt> {
    const data = iface.encodeFunctionData('deregisterOperator', [quorumNumbersToBytes(quorumNumbers)]);
    return this.#sender.send({ to: this.address, data }, 'deregisterOperator');
  }

  /** Changes the signer's endpoints (normalised; must not be held by another operator). */
  updateEndpoints(endpoints: OperatorEndpoints): Promise<TransactionReceipt> {
    const e = normalizeEndpoints(endpoints);
    const data = iface.encodeFunctionData('updateEndpoints', [e.raftUrl, e.httpUrl]);
    return this.#sender.send({ to: this.address, data }, 'updateEndpoints');
  }

  /** Owner only: the staking stub for many operators of one quorum, in one transaction. */
  setOperatorStakes(quorumNumber: number, stakes: ReadonlyMap<string, bigint>): Promise<TransactionReceipt> {
    quorumNumbersToBytes([quorumNumber]);
    const operators: string[] = [];
    const values: bigint[] = [];
    for (const [operator, stake] of stakes) {
      if (!isAddress(operator))
        throw new InvalidArgumentError(`operator must be an address, got ${operator}`);
      if (stake < 0n || stake >= 2n ** 96n)
        throw new InvalidArgumentError(`stake must fit uint96, got ${stake}`);
      operators.push(operator);
      values.push(stake);
    }
    const data = iface.encodeFunctionData('setOperatorStakes', [quorumNumber, operators, values]);
    return this.#sender.send({ to: this.address, data }, 'setOperatorStakes');
  }

  /** Owner only: the staking stub. */
  setOperatorStake(operator: string, quorumNumber: number, stake: bigint): Promise<TransactionReceipt> {
    if (!isAddress(operator)) throw new InvalidArgumentError(`operator must be an address, got ${operator}`);
    quorumNumbersToBytes([quorumNumber]);
    if (stake < 0n || stake >= 2n ** 96n)
      throw new InvalidArgumentError(`stake must fit uint96, got ${stake}`);
    const data = iface.encodeFunctionData('setOperatorStake', [operator, quorumNumber, stake]);
    return this.#sender.send({ to: this.address, data }, 'setOperatorStake');
  }
}
