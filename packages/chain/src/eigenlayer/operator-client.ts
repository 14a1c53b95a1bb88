/**
 * An operator's writes to EigenLayer M2 and its middleware, in the order
 * EigenLayer's own tooling runs them (incredible-squaring's
 * `operator/registration.go` over eigensdk-go's `elcontracts` and
 * `avsregistry` writers):
 *
 * 1. DelegationManager `registerAsOperator(OperatorDetails, metadataURI)`;
 * 2. stake: `ERC20Mock.mint`, `approve`, StrategyManager `depositIntoStrategy`;
 * 3. RegistryCoordinator `registerOperator(quorumNumbers, socket, PubkeyRegistrationParams,
 *    SignatureWithSaltAndExpiry)`: the BLS key's proof of possession is
 *    `sk · pubkeyRegistrationMessageHash(operator)` (a G1 point the contract
 *    computes), and the ECDSA signature is over AVSDirectory's
 *    `calculateOperatorAVSRegistrationDigestHash(operator, serviceManager, salt, expiry)`
 *    (the raw digest, v = 27/28).
 */
import {
  type BlsKeyPair,
  g1FromSolidity,
  g1ToSolidity,
  g2ToSolidity,
  makePubkeyRegistrationParams,
} from '@avs/bls';
import {
  type BaseWallet,
  Contract,
  getAddress,
  hexlify,
  Interface,
  isAddress,
  type TransactionReceipt,
  ZeroAddress,
} from 'ethers';
import { InvalidArgumentError } from '../errors.js';
import { quorumNumbersToBytes } from '../quorums.js';
import { type RetryOptions, withRetry } from '../retry.js';
import { TransactionSender, type TransactionSenderOptions } from '../transaction-sender.js';
import {
  erc20MockAbi,
  m2AvsDirectoryAbi,
  m2DelegationManagerAbi,
  m2RegistryCoordinatorAbi,
  m2StrategyManagerAbi,
} from './m2-abis.js';

/** Addresses an operator's registration touches. */
export interface EigenLayerOperatorContracts {
  registryCoordinator: string;
  delegationManager: string;
  strategyManager: string;
  avsDirectory: string;
  /** The AVS's ServiceManager (the `avs` of the AVSDirectory digest); default `registryCoordinator.serviceManager()`. */
  serviceManager?: string;
}

/** Options of {@link EigenLayerOperatorClient}. */
export interface EigenLayerOperatorClientOptions extends Omit<TransactionSenderOptions, 'signer'> {
  /** The operator's ECDSA key, connected to a provider (it signs the AVS registration digest too). */
  signer: BaseWallet;
  contracts: EigenLayerOperatorContracts;
}

/** What {@link EigenLayerOperatorClient.registerOperator} does, step by step. */
export interface EigenLayerRegistration {
  blsKey: BlsKeyPair;
  quorumNumbers: number[];
  /** Free-form on EigenLayer; `@avs/chain`'s readers parse "<url>" or "<raftUrl> <httpUrl>". */
  socket: string;
  /** Stake to deposit before registering (skipped when absent). */
  deposit?: { strategy: string; token: string; amount: bigint; mint?: boolean };
  metadataURI?: string;
  /** AVS registration signature validity, seconds from the latest block's timestamp; default 3600. */
  signatureTtlSeconds?: number;
  /** AVS registration signature salt (32 bytes); default random. */
  salt?: string;
}

const coordinatorIface = new Interface(m2RegistryCoordinatorAbi);
const delegationIface = new Interface(m2DelegationManagerAbi);
const strategyIface = new Interface(m2StrategyManagerAbi);
const erc20Iface = new Interface(erc20MockAbi);

function checkAddress(name: string, value: string | undefined): string {
  if (value === undefined || !isAddress(value)) {
    throw new InvalidArgumentError(`${name} must be an address, got ${String(value)}`);
  }
  return getAddress(value);
}

/**
 * The ECDSA signature AVSDirectory checks: the raw 32-byte digest signed with
 * the operator's key, 65 bytes r ‖ s ‖ v with v = 27 + recovery bit (what
 * eigensdk-go produces with `crypto.Sign` and `+= 27`).
 */
export function signAvsRegistrationDigest(wallet: BaseWallet, digest: string): string {
  return wallet.signingKey.sign(digest).serialized;
}

/** Writes of one operator to EigenLayer M2 and the AVS's RegistryCoordinator. */
export class EigenLayerOperatorClient {
  readonly address: string;
  readonly contracts: Required<EigenLayerOperatorContracts>;
  readonly #wallet: BaseWallet;
  readonly #sender: TransactionSender;
  readonly #retry: RetryOptions;
  #serviceManager: Promise<string> | undefined;

  constructor(options: EigenLayerOperatorClientOptions) {
    const c = options.contracts;
    this.contracts = {
      registryCoordinator: checkAddress('registryCoordinator', c.registryCoordinator),
      delegationManager: checkAddress('delegationManager', c.delegationManager),
      strategyManager: checkAddress('strategyManager', c.strategyManager),
      avsDirectory: checkAddress('avsDirectory', c.avsDirectory),
      serviceManager: c.serviceManager === undefined ? '' : checkAddress('serviceManager', c.serviceManager),
    };
    this.#wallet = options.signer;
    this.address = options.signer.address;
    this.#retry = options.retry ?? {};
    this.#sender = new TransactionSender({ ...options, signer: options.signer });
  }

  #view(address: string, abi: readonly string[]): Contract {
    return new Contract(address, abi, this.#wallet.provider);
  }

  /** The AVS's ServiceManager (from the options, else read once from the coordinator). */
  serviceManager(): Promise<string> {
    if (this.contracts.serviceManager !== '') return Promise.resolve(this.contracts.serviceManager);
    this.#serviceManager ??= withRetry(
      'serviceManager',
      async () =>
        getAddress(
          await this.#view(this.contracts.registryCoordinator, m2RegistryCoordinatorAbi).getFunction(
            'serviceManager',
          )(),
        ),
      this.#retry,
    );
    return this.#serviceManager;
  }

  /** Whether the key is an EigenLayer operator (DelegationManager). */
  async isOperator(): Promise<boolean> {
    const dm = this.#view(this.contracts.delegationManager, m2DelegationManagerAbi);
    return Boolean(
      await withRetry('isOperator', () => dm.getFunction('isOperator')(this.address), this.#retry),
    );
  }

  /**
   * DelegationManager `registerAsOperator`: earnings to the operator itself, no
   * delegation approver, no opt-out window, unless given.
   * @throws ContractRevertError when already an operator
   */
  registerAsOperator(
    details: {
      earningsReceiver?: string;
      delegationApprover?: string;
      stakerOptOutWindowBlocks?: number;
    } = {},
    metadataURI = '',
  ): Promise<TransactionReceipt> {
    const data = delegationIface.encodeFunctionData('registerAsOperator', [
      {
        earningsReceiver: details.earningsReceiver ?? this.address,
        delegationApprover: details.delegationApprover ?? ZeroAddress,
        stakerOptOutWindowBlocks: details.stakerOptOutWindowBlocks ?? 0,
      },
      metadataURI,
    ]);
    return this.#sender.send({ to: this.contracts.delegationManager, data }, 'registerAsOperator');
  }

  /**
   * Deposits `amount` of `token` into `strategy` (minting it first on an ERC20Mock when `mint`):
   * the operator's own, self-delegated stake.
   */
  async depositIntoStrategy(params: {
    strategy: string;
    token: string;
    amount: bigint;
    mint?: boolean;
  }): Promise<TransactionReceipt> {
    const strategy = checkAddress('strategy', params.strategy);
    const token = checkAddress('token', params.token);
    if (params.amount <= 0n) throw new InvalidArgumentError('amount must be positive');
    if (params.mint) {
      await this.#sender.send(
        { to: token, data: erc20Iface.encodeFunctionData('mint', [this.address, params.amount]) },
        'ERC20Mock.mint',
      );
    }
    await this.#sender.send(
      {
        to: token,
        data: erc20Iface.encodeFunctionData('approve', [this.contracts.strategyManager, params.amount]),
      },
      'ERC20.approve',
    );
    return this.#sender.send(
      {
        to: this.contracts.strategyManager,
        data: strategyIface.encodeFunctionData('depositIntoStrategy', [strategy, token, params.amount]),
      },
      'depositIntoStrategy',
    );
  }

  /**
   * RegistryCoordinator `registerOperator` with both signatures made here.
   * @throws InvalidArgumentError; ContractRevertError (already registered, expired signature, ...)
   */
  async registerOperatorInQuorums(params: {
    blsKey: BlsKeyPair;
    quorumNumbers: number[];
    socket: string;
    signatureTtlSeconds?: number;
    salt?: string;
  }): Promise<TransactionReceipt> {
    const quorums = quorumNumbersToBytes(params.quorumNumbers);
    const coordinator = this.#view(this.contracts.registryCoordinator, m2RegistryCoordinatorAbi);
    const [hashPoint, serviceManager, latest] = await Promise.all([
      withRetry(
        'pubkeyRegistrationMessageHash',
        () => coordinator.getFunction('pubkeyRegistrationMessageHash')(this.address),
        this.#retry,
      ),
      this.serviceManager(),
      withRetry('eth_getBlock', () => this.#wallet.provider!.getBlock('latest'), this.#retry),
    ]);
    const message = g1FromSolidity({ X: hashPoint.X, Y: hashPoint.Y });
    const p = makePubkeyRegistrationParams(params.blsKey, message);
    const salt = params.salt ?? hexlify(crypto.getRandomValues(new Uint8Array(32)));
    if (!/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new InvalidArgumentError('salt must be 32 bytes of 0x hex');
    const expiry =
      BigInt(latest?.timestamp ?? Math.floor(Date.now() / 1000)) + BigInt(params.signatureTtlSeconds ?? 3600);
    const directory = this.#view(this.contracts.avsDirectory, m2AvsDirectoryAbi);
    const digest: string = await withRetry(
      'calculateOperatorAVSRegistrationDigestHash',
      () =>
        directory.getFunction('calculateOperatorAVSRegistrationDigestHash')(
          this.address,
          serviceManager,
          salt,
          expiry,
        ),
      this.#retry,
    );
    const data = coordinatorIface.encodeFunctionData('registerOperator', [
      quorums,
      params.socket,
      {
        pubkeyRegistrationSignature: g1ToSolidity(p.pubkeyRegistrationSignature),
        pubkeyG1: g1ToSolidity(p.pubkeyG1),
        pubkeyG2: g2ToSolidity(p.pubkeyG2),
      },
      { signature: signAvsRegistrationDigest(this.#wallet, digest), salt, expiry },
    ]);
    return this.#sender.send({ to: this.contracts.registryCoordinator, data }, 'registerOperator');
  }

  /**
   * The whole registration as EigenLayer's operator tooling runs it: EigenLayer operator (skipped when
   * already one), stake deposit (when `deposit` is given), then the AVS's quorums.
   * @returns the receipt of `registerOperator`
   */
  async registerOperator(r: EigenLayerRegistration): Promise<TransactionReceipt> {
    if (!(await this.isOperator())) await this.registerAsOperator({}, r.metadataURI ?? '');
    if (r.deposit) await this.depositIntoStrategy(r.deposit);
    return this.registerOperatorInQuorums({
      blsKey: r.blsKey,
      quorumNumbers: r.quorumNumbers,
      socket: r.socket,
      ...(r.signatureTtlSeconds === undefined ? {} : { signatureTtlSeconds: r.signatureTtlSeconds }),
      ...(r.salt === undefined ? {} : { salt: r.salt }),
    });
  }

  /** RegistryCoordinator `deregisterOperator(quorumNumbers)`. */
  deregisterOperator(quorumNumbers: number[]): Promise<TransactionReceipt> {
    const data = coordinatorIface.encodeFunctionData('deregisterOperator', [
      quorumNumbersToBytes(quorumNumbers),
    ]);
    return this.#sender.send({ to: this.contracts.registryCoordinator, data }, 'deregisterOperator');
  }

  /** RegistryCoordinator `updateSocket(socket)` (emits `OperatorSocketUpdate`). */
  updateSocket(socket: string): Promise<TransactionReceipt> {
    const data = coordinatorIface.encodeFunctionData('updateSocket', [socket]);
    return this.#sender.send({ to: this.contracts.registryCoordinator, data }, 'updateSocket');
  }
}
