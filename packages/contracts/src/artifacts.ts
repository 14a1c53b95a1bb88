import { operatorRegistryAbi, operatorRegistryBytecode } from './generated/operator-registry.js';
import {
  operatorStateRetrieverAbi,
  operatorStateRetrieverBytecode,
} from './generated/operator-state-retriever.js';
import { taskManagerAbi, taskManagerBytecode } from './generated/task-manager.js';

export { solcVersion } from './generated/compiler.js';
export {
  operatorRegistryAbi,
  operatorRegistryBytecode,
  operatorStateRetrieverAbi,
  operatorStateRetrieverBytecode,
  taskManagerAbi,
  taskManagerBytecode,
};

/** ABI + creation bytecode of one contract. */
export interface ContractArtifact<TAbi extends readonly unknown[] = readonly unknown[]> {
  readonly contractName: string;
  readonly abi: TAbi;
  readonly bytecode: `0x${string}`;
}

/** The compiled contracts (solc-js, evmVersion cancun, optimizer 200 runs, no metadata hash). */
export const artifacts = {
  OperatorRegistry: {
    contractName: 'OperatorRegistry',
    abi: operatorRegistryAbi,
    bytecode: operatorRegistryBytecode,
  },
  OperatorStateRetriever: {
    contractName: 'OperatorStateRetriever',
    abi: operatorStateRetrieverAbi,
    bytecode: operatorStateRetrieverBytecode,
  },
  TaskManager: {
    contractName: 'TaskManager',
    abi: taskManagerAbi,
    bytecode: taskManagerBytecode,
  },
} as const satisfies Record<string, ContractArtifact>;
