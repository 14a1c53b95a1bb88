/**
 * The EigenLayer M2 functions and events this package calls, as ethers
 * human-readable fragments, written from the published signatures of
 * EigenLayer core (DelegationManager, StrategyManager, AVSDirectory) and
 * eigenlayer-middleware at commit 2475ab8 (RegistryCoordinator,
 * BLSApkRegistry, OperatorStateRetriever) and the incredible-squaring AVS.
 * Field order follows the Solidity structs. `m2-abis.test.ts` checks every
 * selector against the deployed bytecode and the fixture's JSON ABI.
 */

const G1 = 'tuple(uint256 X, uint256 Y)';
const G2 = 'tuple(uint256[2] X, uint256[2] Y)';

/** `IBLSApkRegistry.PubkeyRegistrationParams`. */
export const PUBKEY_REGISTRATION_PARAMS = `tuple(${G1} pubkeyRegistrationSignature, ${G1} pubkeyG1, ${G2} pubkeyG2)`;
/** `ISignatureUtils.SignatureWithSaltAndExpiry`. */
export const SIGNATURE_WITH_SALT_AND_EXPIRY = 'tuple(bytes signature, bytes32 salt, uint256 expiry)';
/** `IBLSSignatureChecker.NonSignerStakesAndSignature`. */
export const NON_SIGNER_STAKES_AND_SIGNATURE = `tuple(uint32[] nonSignerQuorumBitmapIndices, ${G1}[] nonSignerPubkeys, ${G1}[] quorumApks, ${G2} apkG2, ${G1} sigma, uint32[] quorumApkIndices, uint32[] totalStakeIndices, uint32[][] nonSignerStakeIndices)`;

/** RegistryCoordinator (M2): operator registration and its events. */
export const m2RegistryCoordinatorAbi = [
  `function registerOperator(bytes quorumNumbers, string socket, ${PUBKEY_REGISTRATION_PARAMS} params, ${SIGNATURE_WITH_SALT_AND_EXPIRY} operatorSignature)`,
  'function deregisterOperator(bytes quorumNumbers)',
  'function updateSocket(string socket)',
  `function pubkeyRegistrationMessageHash(address operator) view returns (${G1})`,
  'function serviceManager() view returns (address)',
  'function blsApkRegistry() view returns (address)',
  'function stakeRegistry() view returns (address)',
  'function indexRegistry() view returns (address)',
  'function getOperatorId(address operator) view returns (bytes32)',
  'function getOperatorFromId(bytes32 operatorId) view returns (address)',
  'function getOperatorStatus(address operator) view returns (uint8)',
  'function quorumCount() view returns (uint8)',
  'event OperatorRegistered(address indexed operator, bytes32 indexed operatorId)',
  'event OperatorDeregistered(address indexed operator, bytes32 indexed operatorId)',
  'event OperatorSocketUpdate(bytes32 indexed operatorId, string socket)',
] as const;

/** BLSApkRegistry (M2): registered keys; the G2 key is only in the registration event. */
export const m2BlsApkRegistryAbi = [
  `function getRegisteredPubkey(address operator) view returns (${G1}, bytes32)`,
  `event NewPubkeyRegistration(address indexed operator, ${G1} pubkeyG1, ${G2} pubkeyG2)`,
] as const;

/** DelegationManager (M2, before slashing). */
export const m2DelegationManagerAbi = [
  'function registerAsOperator(tuple(address earningsReceiver, address delegationApprover, uint32 stakerOptOutWindowBlocks) registeringOperatorDetails, string metadataURI)',
  'function isOperator(address operator) view returns (bool)',
] as const;

/** StrategyManager (M2). */
export const m2StrategyManagerAbi = [
  'function depositIntoStrategy(address strategy, address token, uint256 amount) returns (uint256 shares)',
] as const;

/** AVSDirectory (M2): the digest an operator signs to be registered to an AVS. */
export const m2AvsDirectoryAbi = [
  'function calculateOperatorAVSRegistrationDigestHash(address operator, address avs, bytes32 salt, uint256 expiry) view returns (bytes32)',
  'function avsOperatorStatus(address avs, address operator) view returns (uint8)',
] as const;

/** The incredible-squaring AVS's ERC20Mock (anyone can mint) and the ERC20 calls a deposit needs. */
export const erc20MockAbi = [
  'function mint(address to, uint256 amount)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
] as const;

const IS_TASK =
  'tuple(uint256 numberToBeSquared, uint32 taskCreatedBlock, bytes quorumNumbers, uint32 quorumThresholdPercentage)';
const IS_RESPONSE = 'tuple(uint32 referenceTaskIndex, uint256 numberSquared)';

/** IncredibleSquaringTaskManager (inherits BLSSignatureChecker). */
export const incredibleSquaringTaskManagerAbi = [
  'function createNewTask(uint256 numberToBeSquared, uint32 quorumThresholdPercentage, bytes quorumNumbers)',
  `function respondToTask(${IS_TASK} task, ${IS_RESPONSE} taskResponse, ${NON_SIGNER_STAKES_AND_SIGNATURE} nonSignerStakesAndSignature)`,
  'function allTaskHashes(uint32 taskIndex) view returns (bytes32)',
  'function allTaskResponses(uint32 taskIndex) view returns (bytes32)',
  'function taskNumber() view returns (uint32)',
  'function aggregator() view returns (address)',
  'function generator() view returns (address)',
  'function TASK_RESPONSE_WINDOW_BLOCK() view returns (uint32)',
  `event NewTaskCreated(uint32 indexed taskIndex, ${IS_TASK} task)`,
  `event TaskResponded(${IS_RESPONSE} taskResponse, tuple(uint32 taskResponsedBlock, bytes32 hashOfNonSigners) taskResponseMetadata)`,
] as const;
