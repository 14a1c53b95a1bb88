// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {BlsSignatureChecker} from "./BlsSignatureChecker.sol";
import {IOperatorRegistryViews} from "./IOperatorRegistryViews.sol";

/// @title TaskManager
/// @notice Tasks for the AVS: created by a registered operator (the Raft leader) or an allowed
/// creator, answered exactly once with a BLS aggregate that must reach each quorum's stake threshold
/// at the task's reference block, within `taskResponseWindowBlock` blocks of it.
/// @dev Written for this project (MIT).
contract TaskManager is BlsSignatureChecker {
    struct Task {
        bytes32 payloadHash;
        /// Block whose operator state signs the task: the block before creation.
        uint32 referenceBlockNumber;
        /// Percentage (1..100) of each quorum's stake that must sign.
        uint32 quorumThresholdPercentage;
        bytes quorumNumbers;
    }

    /// The signed message is keccak256(abi.encode(TaskResponse)).
    struct TaskResponse {
        uint32 referenceTaskIndex;
        bytes result;
    }

    struct TaskResponseMetadata {
        uint32 taskRespondedBlock;
        bytes32 hashOfNonSigners;
    }

    uint32 public immutable taskResponseWindowBlock;
    address public owner;
    uint32 public latestTaskNum;
    mapping(uint32 => bytes32) public allTaskHashes;
    /// keccak256(abi.encode(response, metadata)); zero while unanswered.
    mapping(uint32 => bytes32) public allTaskResponses;
    mapping(address => bool) public isTaskCreator;

    event NewTaskCreated(uint32 indexed taskIndex, Task task);
    event TaskResponded(uint32 indexed taskIndex, TaskResponse taskResponse, TaskResponseMetadata taskResponseMetadata);
    event TaskCreatorSet(address indexed creator, bool allowed);

    error NotOwner();
    error NotTaskCreator();
    error InvalidThreshold();
    error NoTasks();
    error TaskMismatch(uint32 taskIndex);
    error TaskAlreadyResponded(uint32 taskIndex);
    error TaskResponseWindowExpired(uint32 taskIndex, uint32 referenceBlockNumber, uint256 currentBlock);
    error QuorumThresholdNotMet(uint8 quorumNumber, uint96 signedStake, uint96 totalStake);

    constructor(IOperatorRegistryViews registry_, address initialOwner, uint32 responseWindowBlocks)
        BlsSignatureChecker(registry_)
    {
        owner = initialOwner;
        taskResponseWindowBlock = responseWindowBlocks;
    }

    /// @notice Allows or disallows `creator` to create tasks (registered operators always may).
    function setTaskCreator(address creator, bool allowed) external {
        if (msg.sender != owner) revert NotOwner();
        isTaskCreator[creator] = allowed;
        emit TaskCreatorSet(creator, allowed);
    }

    /// @notice Stores a new task with reference block `block.number - 1` and emits NewTaskCreated.
    function createNewTask(bytes32 payloadHash, uint32 quorumThresholdPercentage, bytes calldata quorumNumbers)
        external
        returns (uint32 taskIndex)
    {
        _checkNewTasks(quorumThresholdPercentage, quorumNumbers);
        taskIndex = _storeTask(payloadHash, quorumThresholdPercentage, quorumNumbers);
    }

    /// @notice Creates one task per payload hash, all with the same threshold and quorums, in one
    /// transaction (consecutive indexes from the returned one; one NewTaskCreated event each).
    function createNewTasks(
        bytes32[] calldata payloadHashes,
        uint32 quorumThresholdPercentage,
        bytes calldata quorumNumbers
    ) external returns (uint32 firstTaskIndex) {
        if (payloadHashes.length == 0) revert NoTasks();
        _checkNewTasks(quorumThresholdPercentage, quorumNumbers);
        firstTaskIndex = latestTaskNum;
        for (uint256 i = 0; i < payloadHashes.length; i++) {
            _storeTask(payloadHashes[i], quorumThresholdPercentage, quorumNumbers);
        }
    }

    function _checkNewTasks(uint32 quorumThresholdPercentage, bytes calldata quorumNumbers) internal view {
        if (!isTaskCreator[msg.sender] && msg.sender != owner && !registry.isRegistered(msg.sender)) {
            revert NotTaskCreator();
        }
        if (quorumThresholdPercentage == 0 || quorumThresholdPercentage > 100) revert InvalidThreshold();
        _quorumBitmap(quorumNumbers);
        uint8 count = registry.quorumCount();
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            if (uint8(quorumNumbers[i]) >= count) revert InvalidQuorumNumbers();
        }
    }

    function _storeTask(bytes32 payloadHash, uint32 quorumThresholdPercentage, bytes calldata quorumNumbers)
        internal
        returns (uint32 taskIndex)
    {
        Task memory task = Task(payloadHash, uint32(block.number - 1), quorumThresholdPercentage, quorumNumbers);
        taskIndex = latestTaskNum;
        allTaskHashes[taskIndex] = keccak256(abi.encode(task));
        latestTaskNum = taskIndex + 1;
        emit NewTaskCreated(taskIndex, task);
    }

    /// @notice Accepts the first valid response to a task; reverts otherwise.
    function respondToTask(
        Task calldata task,
        TaskResponse calldata taskResponse,
        NonSignerStakesAndSignature calldata nonSignerStakesAndSignature
    ) external {
        uint32 taskIndex = taskResponse.referenceTaskIndex;
        if (allTaskHashes[taskIndex] != keccak256(abi.encode(task)) || allTaskHashes[taskIndex] == bytes32(0)) {
            revert TaskMismatch(taskIndex);
        }
        if (allTaskResponses[taskIndex] != bytes32(0)) revert TaskAlreadyResponded(taskIndex);
        if (block.number > uint256(task.referenceBlockNumber) + taskResponseWindowBlock) {
            revert TaskResponseWindowExpired(taskIndex, task.referenceBlockNumber, block.number);
        }
        bytes32 msgHash = keccak256(abi.encode(taskResponse));
        (QuorumStakeTotals memory totals, bytes32 hashOfNonSigners) = checkSignatures(
            msgHash, task.quorumNumbers, task.referenceBlockNumber, nonSignerStakesAndSignature
        );
        for (uint256 i = 0; i < task.quorumNumbers.length; i++) {
            uint96 signed = totals.signedStakeForQuorum[i];
            uint96 total = totals.totalStakeForQuorum[i];
            if (total == 0 || uint256(signed) * 100 < uint256(total) * task.quorumThresholdPercentage) {
                revert QuorumThresholdNotMet(uint8(task.quorumNumbers[i]), signed, total);
            }
        }
        TaskResponseMetadata memory metadata = TaskResponseMetadata(uint32(block.number), hashOfNonSigners);
        allTaskResponses[taskIndex] = keccak256(abi.encode(taskResponse, metadata));
        emit TaskResponded(taskIndex, taskResponse, metadata);
    }

    /// @notice Whether task `taskIndex` has its (single) accepted response.
    function taskResponded(uint32 taskIndex) external view returns (bool) {
        return allTaskResponses[taskIndex] != bytes32(0);
    }

    /// @notice The message the operators sign for `taskResponse`.
    function taskResponseDigest(TaskResponse calldata taskResponse) external pure returns (bytes32) {
        return keccak256(abi.encode(taskResponse));
    }
}
