// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {BatchMerkle} from "./BatchMerkle.sol";
import {BlsSignatureChecker} from "./BlsSignatureChecker.sol";
import {IOperatorRegistryViews} from "./IOperatorRegistryViews.sol";

/// @title TaskManager
/// @notice Tasks for the AVS: created by a registered operator (the Raft leader) or an allowed
/// creator, answered exactly once with a BLS aggregate that must reach each quorum's stake threshold
/// at the task's reference block, within `taskResponseWindowBlock` blocks of it. Tasks are answered
/// one at a time (`respondToTask`) or many under one signature (`respondToBatch`, modelled on
/// EigenDA's confirmBatch); either way each task is answered once (one bitmap bit per task).
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

    /// A batch answered by `respondToBatch`: the Merkle root of its response digests, stored once.
    struct Batch {
        bytes32 root;
        uint32 taskCount;
        uint32 respondedBlock;
    }

    /// What a batch's operators sign: keccak256(abi.encode(BATCH_DIGEST_TAG, root, taskCount)).
    bytes32 public constant BATCH_DIGEST_TAG = keccak256("avs-raft.TaskManager.respondToBatch.v1");
    uint32 public batchCount;
    mapping(uint32 => Batch) public batches;
    /// Bit (i & 255) of word (i >> 8) is set once task i is answered, by either path: one storage
    /// word per 256 tasks instead of a fresh slot (22.1k gas) per task.
    mapping(uint256 => uint256) internal answeredWords;

    event NewTaskCreated(uint32 indexed taskIndex, Task task);
    event TaskResponded(uint32 indexed taskIndex, TaskResponse taskResponse, TaskResponseMetadata taskResponseMetadata);
    event TaskCreatorSet(address indexed creator, bool allowed);
    /// One per batch; each of its tasks also gets TaskResponded (same transaction, batch order).
    event BatchResponded(
        uint32 indexed batchId, bytes32 root, uint32 taskCount, TaskResponseMetadata taskResponseMetadata
    );

    error NotOwner();
    error NotTaskCreator();
    error InvalidThreshold();
    error NoTasks();
    error TaskMismatch(uint32 taskIndex);
    error TaskAlreadyResponded(uint32 taskIndex);
    error TaskResponseWindowExpired(uint32 taskIndex, uint32 referenceBlockNumber, uint256 currentBlock);
    error QuorumThresholdNotMet(uint8 quorumNumber, uint96 signedStake, uint96 totalStake);
    error BatchLengthMismatch(uint256 tasks, uint256 responses);
    error BatchReferenceBlockMismatch(uint32 taskIndex);
    error BatchQuorumMismatch(uint32 taskIndex);

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
        _checkTask(taskIndex, task);
        _markAnswered(taskIndex);
        if (block.number > uint256(task.referenceBlockNumber) + taskResponseWindowBlock) {
            revert TaskResponseWindowExpired(taskIndex, task.referenceBlockNumber, block.number);
        }
        bytes32 msgHash = keccak256(abi.encode(taskResponse));
        (QuorumStakeTotals memory totals, bytes32 hashOfNonSigners) = checkSignatures(
            msgHash, task.quorumNumbers, task.referenceBlockNumber, nonSignerStakesAndSignature
        );
        _requireThreshold(task.quorumNumbers, totals, task.quorumThresholdPercentage);
        TaskResponseMetadata memory metadata = TaskResponseMetadata(uint32(block.number), hashOfNonSigners);
        allTaskResponses[taskIndex] = keccak256(abi.encode(taskResponse, metadata));
        emit TaskResponded(taskIndex, taskResponse, metadata);
    }

    /// @notice Answers many tasks with one aggregate signature over
    /// keccak256(abi.encode(BATCH_DIGEST_TAG, root, tasks.length)), where `root` is the BatchMerkle
    /// root of keccak256(abi.encode(taskResponses[i])) in order. All tasks must share the reference
    /// block and quorum numbers; thresholds may differ (the signed stake must meet the highest). The
    /// whole batch reverts if any task is unknown, altered, answered, repeated or out of its window.
    /// Stores the root once, sets one bit per task, emits BatchResponded and a TaskResponded per task.
    function respondToBatch(
        Task[] calldata tasks,
        TaskResponse[] calldata taskResponses,
        NonSignerStakesAndSignature calldata nonSignerStakesAndSignature
    ) external returns (uint32 batchId) {
        uint256 n = tasks.length;
        if (n == 0) revert NoTasks();
        if (taskResponses.length != n) revert BatchLengthMismatch(n, taskResponses.length);
        (bytes32 root, uint32 threshold) = _batchRoot(tasks, taskResponses);
        Task calldata first = tasks[0];
        if (block.number > uint256(first.referenceBlockNumber) + taskResponseWindowBlock) {
            revert TaskResponseWindowExpired(
                taskResponses[0].referenceTaskIndex, first.referenceBlockNumber, block.number
            );
        }
        (QuorumStakeTotals memory totals, bytes32 hashOfNonSigners) = checkSignatures(
            batchDigest(root, n), first.quorumNumbers, first.referenceBlockNumber, nonSignerStakesAndSignature
        );
        _requireThreshold(first.quorumNumbers, totals, threshold);
        TaskResponseMetadata memory metadata = TaskResponseMetadata(uint32(block.number), hashOfNonSigners);
        batchId = batchCount;
        batchCount = batchId + 1;
        batches[batchId] = Batch(root, uint32(n), uint32(block.number));
        emit BatchResponded(batchId, root, uint32(n), metadata);
        for (uint256 i = 0; i < n; i++) {
            emit TaskResponded(taskResponses[i].referenceTaskIndex, taskResponses[i], metadata);
        }
    }

    /// Checks each task (known, unaltered, unanswered, same reference block and quorums as the
    /// first), marks it answered, and returns the root of the response digests and the highest threshold.
    function _batchRoot(Task[] calldata tasks, TaskResponse[] calldata taskResponses)
        internal
        returns (bytes32 root, uint32 threshold)
    {
        uint256 n = tasks.length;
        uint32 referenceBlock = tasks[0].referenceBlockNumber;
        bytes32 quorumsHash = keccak256(tasks[0].quorumNumbers);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            Task calldata task = tasks[i];
            uint32 taskIndex = taskResponses[i].referenceTaskIndex;
            _checkTask(taskIndex, task);
            if (task.referenceBlockNumber != referenceBlock) revert BatchReferenceBlockMismatch(taskIndex);
            if (keccak256(task.quorumNumbers) != quorumsHash) revert BatchQuorumMismatch(taskIndex);
            _markAnswered(taskIndex);
            if (task.quorumThresholdPercentage > threshold) threshold = task.quorumThresholdPercentage;
            leaves[i] = keccak256(abi.encode(taskResponses[i]));
        }
        root = BatchMerkle.rootInPlace(leaves);
    }

    /// @notice The message a batch's operators sign.
    function batchDigest(bytes32 root, uint256 taskCount) public pure returns (bytes32) {
        return keccak256(abi.encode(BATCH_DIGEST_TAG, root, taskCount));
    }

    /// @notice Whether `taskResponse` is the response at `position` of batch `batchId` (so it is the
    /// accepted response of its task): anyone can check a task's answer against the stored root.
    function verifyBatchResponse(
        uint32 batchId,
        TaskResponse calldata taskResponse,
        uint256 position,
        bytes32[] calldata proof
    ) external view returns (bool) {
        Batch storage batch = batches[batchId];
        if (batch.taskCount == 0) return false;
        return BatchMerkle.verify(proof, batch.root, keccak256(abi.encode(taskResponse)), position, batch.taskCount);
    }

    /// @notice Whether task `taskIndex` has its accepted response (from either path).
    function taskResponded(uint32 taskIndex) public view returns (bool) {
        return (answeredWords[taskIndex >> 8] >> (taskIndex & 255)) & 1 == 1;
    }

    function _checkTask(uint32 taskIndex, Task calldata task) internal view {
        bytes32 stored = allTaskHashes[taskIndex];
        if (stored == bytes32(0) || stored != keccak256(abi.encode(task))) revert TaskMismatch(taskIndex);
    }

    /// Sets task `taskIndex`'s bit; reverts if it was set (answered before, or twice in one batch).
    function _markAnswered(uint32 taskIndex) internal {
        uint256 word = answeredWords[taskIndex >> 8];
        uint256 bit = uint256(1) << (taskIndex & 255);
        if (word & bit != 0) revert TaskAlreadyResponded(taskIndex);
        answeredWords[taskIndex >> 8] = word | bit;
    }

    function _requireThreshold(bytes calldata quorumNumbers, QuorumStakeTotals memory totals, uint32 threshold)
        internal
        pure
    {
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            uint96 signed = totals.signedStakeForQuorum[i];
            uint96 total = totals.totalStakeForQuorum[i];
            if (total == 0 || uint256(signed) * 100 < uint256(total) * threshold) {
                revert QuorumThresholdNotMet(uint8(quorumNumbers[i]), signed, total);
            }
        }
    }

    /// @notice The message the operators sign for `taskResponse`.
    function taskResponseDigest(TaskResponse calldata taskResponse) external pure returns (bytes32) {
        return keccak256(abi.encode(taskResponse));
    }
}
