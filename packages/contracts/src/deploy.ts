import { ContractFactory, type InterfaceAbi, JsonRpcProvider, type Signer, Wallet } from 'ethers';
import { artifacts, type ContractArtifact } from './artifacts.js';
import { DeploymentError, InvalidOptionsError } from './errors.js';

/** Where to deploy: an ethers signer connected to a provider, or an RPC URL and a private key. */
export type DeployTarget = { signer: Signer } | { rpcUrl: string; privateKey: string };

export interface DeployAvsOptions {
  /** Registry and task-manager owner (sets stakes, creates quorums); default: the deployer. */
  owner?: string;
  /** Quorums created at deployment, numbered from 0; default 1, at most 192. */
  quorumCount?: number;
  /** Blocks after a task's reference block during which a response is accepted; default 100. */
  taskResponseWindowBlocks?: number;
}

/** Addresses of a deployed AVS. */
export interface AvsDeployment {
  chainId: bigint;
  operatorRegistry: string;
  operatorStateRetriever: string;
  taskManager: string;
  /** Block of the last deployment transaction. */
  deployBlock: number;
}

/**
 * Polls for a receipt (ethers' tx.wait() can miss the block on an automining node when the
 * transaction is mined before its block subscription starts, and then waits forever).
 */
async function waitForReceipt(signer: Signer, hash: string, timeoutMs = 120_000) {
  const provider = signer.provider!;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const receipt = await provider.getTransactionReceipt(hash);
    if (receipt) return receipt;
    if (Date.now() > deadline) throw new Error(`no receipt for ${hash} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function deployOne(
  artifact: ContractArtifact,
  signer: Signer,
  args: unknown[],
): Promise<[string, number]> {
  try {
    const factory = new ContractFactory(artifact.abi as InterfaceAbi, artifact.bytecode, signer);
    const contract = await factory.deploy(...args);
    const tx = contract.deploymentTransaction();
    if (!tx) throw new Error('no deployment transaction');
    const receipt = await waitForReceipt(signer, tx.hash);
    if (receipt?.status !== 1) throw new Error('transaction reverted');
    return [await contract.getAddress(), receipt.blockNumber];
  } catch (cause) {
    const reason = (cause as { shortMessage?: string }).shortMessage ?? (cause as Error).message;
    throw new DeploymentError(`deploying ${artifact.contractName} failed: ${reason.slice(0, 300)}`, {
      cause,
    });
  }
}

/**
 * Deploys OperatorRegistry, OperatorStateRetriever and TaskManager, one transaction after another.
 * @param target A signer, or `{ rpcUrl, privateKey }` for any JSON-RPC endpoint (the provider is
 *   destroyed before returning).
 * @returns The contract addresses, chain id and the block of the last deployment.
 * @throws InvalidOptionsError for out-of-range options; DeploymentError if a transaction fails.
 */
export async function deployAvs(
  target: DeployTarget,
  options: DeployAvsOptions = {},
): Promise<AvsDeployment> {
  const quorumCount = options.quorumCount ?? 1;
  const window = options.taskResponseWindowBlocks ?? 100;
  if (!Number.isInteger(quorumCount) || quorumCount < 0 || quorumCount > 192) {
    throw new InvalidOptionsError(`quorumCount must be an integer in 0..192, got ${quorumCount}`);
  }
  if (!Number.isInteger(window) || window < 1 || window > 0xffffffff) {
    throw new InvalidOptionsError(`taskResponseWindowBlocks must be an integer in 1..2^32-1, got ${window}`);
  }
  let provider: JsonRpcProvider | undefined;
  let signer: Signer;
  if ('signer' in target) {
    signer = target.signer;
  } else {
    provider = new JsonRpcProvider(target.rpcUrl, undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      // ethers caches identical requests for 250 ms by default, which returns a stale nonce.
      cacheTimeout: -1,
    });
    signer = new Wallet(target.privateKey, provider);
  }
  try {
    if (!signer.provider) throw new InvalidOptionsError('the signer must be connected to a provider');
    const owner = options.owner ?? (await signer.getAddress());
    const [operatorRegistry] = await deployOne(artifacts.OperatorRegistry, signer, [owner, quorumCount]);
    const [operatorStateRetriever] = await deployOne(artifacts.OperatorStateRetriever, signer, []);
    const [taskManager, deployBlock] = await deployOne(artifacts.TaskManager, signer, [
      operatorRegistry,
      owner,
      window,
    ]);
    const { chainId } = await signer.provider.getNetwork();
    return { chainId, operatorRegistry, operatorStateRetriever, taskManager, deployBlock };
  } finally {
    provider?.destroy();
  }
}
