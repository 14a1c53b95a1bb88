import { type AvsDeployment, type DeployAvsOptions, deployAvs } from './deploy.js';
import { type LocalChain, type LocalChainOptions, startLocalChain } from './local-chain.js';

export interface LocalAvsOptions extends LocalChainOptions, DeployAvsOptions {}

/** A local chain with the AVS deployed by its first account (the owner). */
export interface LocalAvs extends LocalChain {
  deployment: AvsDeployment;
}

/**
 * Starts anvil and deploys the AVS contracts with account 0 as deployer and owner.
 * Stops the chain again if deployment fails.
 * @throws The errors of startLocalChain and deployAvs.
 */
export async function startLocalAvs(options: LocalAvsOptions = {}): Promise<LocalAvs> {
  const chain = await startLocalChain(options);
  try {
    const deployer = chain.accounts[0]!;
    const deployment = await deployAvs({ rpcUrl: chain.rpcUrl, privateKey: deployer.privateKey }, options);
    return { ...chain, deployment };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}
