/**
 * @avs/contracts: the AVS Solidity contracts (OperatorRegistry, TaskManager, OperatorStateRetriever)
 * compiled with solc-js, their typed ABIs and bytecode, and `deployAvs`. The local anvil chain is
 * in the Node-only entry `@avs/contracts/local-chain`.
 */
export {
  artifacts,
  type ContractArtifact,
  operatorRegistryAbi,
  operatorRegistryBytecode,
  operatorStateRetrieverAbi,
  operatorStateRetrieverBytecode,
  solcVersion,
  taskManagerAbi,
  taskManagerBytecode,
} from './artifacts.js';
export { type AvsDeployment, type DeployAvsOptions, type DeployTarget, deployAvs } from './deploy.js';
export { ContractsError, DeploymentError, InvalidOptionsError } from './errors.js';
