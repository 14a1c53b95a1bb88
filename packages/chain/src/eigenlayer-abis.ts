/**
 * The parts of EigenLayer middleware's public interfaces this package calls, written from their
 * published function signatures (IRegistryCoordinator, OperatorStateRetriever, IBLSApkRegistry,
 * ISocketRegistry). Human-readable ethers ABI fragments.
 */

/** RegistryCoordinator (operator ids and the addresses of its registries). */
export const registryCoordinatorAbi = [
  'function getOperatorId(address operator) view returns (bytes32)',
  'function getOperatorFromId(bytes32 operatorId) view returns (address)',
  'function getOperatorStatus(address operator) view returns (uint8)',
  'function getCurrentQuorumBitmap(bytes32 operatorId) view returns (uint192)',
  'function quorumCount() view returns (uint8)',
  'function blsApkRegistry() view returns (address)',
  'function stakeRegistry() view returns (address)',
  'function socketRegistry() view returns (address)',
] as const;

/** OperatorStateRetriever (view helper over the registries). */
export const eigenLayerOperatorStateRetrieverAbi = [
  'function getOperatorState(address registryCoordinator, bytes quorumNumbers, uint32 blockNumber) view returns (tuple(address operator, bytes32 operatorId, uint96 stake)[][])',
  'function getOperatorState(address registryCoordinator, bytes32 operatorId, uint32 blockNumber) view returns (uint256, tuple(address operator, bytes32 operatorId, uint96 stake)[][])',
  'function getCheckSignaturesIndices(address registryCoordinator, uint32 referenceBlockNumber, bytes quorumNumbers, bytes32[] nonSignerOperatorIds) view returns (tuple(uint32[] nonSignerQuorumBitmapIndices, uint32[] quorumApkIndices, uint32[] totalStakeIndices, uint32[][] nonSignerStakeIndices))',
  'function getQuorumBitmapsAtBlockNumber(address registryCoordinator, bytes32[] operatorIds, uint32 blockNumber) view returns (uint256[])',
] as const;

/** BLSApkRegistry (registered keys). `getOperatorPubkeyG2` exists in middleware v1.x and later. */
export const blsApkRegistryAbi = [
  'function getRegisteredPubkey(address operator) view returns (tuple(uint256 X, uint256 Y), bytes32)',
  'function getOperatorPubkeyG2(address operator) view returns (tuple(uint256[2] X, uint256[2] Y))',
] as const;

/** SocketRegistry (one free-form socket string per operator). */
export const socketRegistryAbi = [
  'function getOperatorSocket(bytes32 operatorId) view returns (string)',
] as const;
