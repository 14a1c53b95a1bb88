// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IOperatorRegistryViews} from "./IOperatorRegistryViews.sol";

/// @title OperatorStateRetriever
/// @notice View-only helper with the function signatures of EigenLayer's OperatorStateRetriever:
/// the operator state of quorums at a block, and the history indices `checkSignatures` needs. Its
/// first argument is the registry (EigenLayer: the registry coordinator).
/// @dev Written for this project (MIT); meant for eth_call (loops over all operators).
contract OperatorStateRetriever {
    struct Operator {
        address operator;
        bytes32 operatorId;
        uint96 stake;
    }

    struct CheckSignaturesIndices {
        uint32[] nonSignerQuorumBitmapIndices;
        uint32[] quorumApkIndices;
        uint32[] totalStakeIndices;
        uint32[][] nonSignerStakeIndices;
    }

    /// @notice For each quorum in `quorumNumbers`, its operators and their stakes at `blockNumber`.
    function getOperatorState(IOperatorRegistryViews registryCoordinator, bytes memory quorumNumbers, uint32 blockNumber)
        public
        view
        returns (Operator[][] memory state)
    {
        state = new Operator[][](quorumNumbers.length);
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            uint8 q = uint8(quorumNumbers[i]);
            bytes32[] memory ids = registryCoordinator.getOperatorListAtBlockNumber(q, blockNumber);
            state[i] = new Operator[](ids.length);
            for (uint256 j = 0; j < ids.length; j++) {
                state[i][j] = Operator(
                    registryCoordinator.getOperatorFromId(ids[j]),
                    ids[j],
                    registryCoordinator.getStakeAtBlockNumber(ids[j], q, blockNumber)
                );
            }
        }
    }

    /// @notice The operator's quorum bitmap at `blockNumber` and the state of those quorums.
    function getOperatorState(IOperatorRegistryViews registryCoordinator, bytes32 operatorId, uint32 blockNumber)
        external
        view
        returns (uint256 quorumBitmap, Operator[][] memory state)
    {
        quorumBitmap = registryCoordinator.getQuorumBitmapAtBlockNumber(operatorId, blockNumber);
        state = getOperatorState(registryCoordinator, _bitmapToQuorumNumbers(quorumBitmap), blockNumber);
    }

    /// @notice The history indices for `checkSignatures` with these non-signers at `referenceBlockNumber`.
    function getCheckSignaturesIndices(
        IOperatorRegistryViews registryCoordinator,
        uint32 referenceBlockNumber,
        bytes calldata quorumNumbers,
        bytes32[] calldata nonSignerOperatorIds
    ) external view returns (CheckSignaturesIndices memory indices) {
        indices.nonSignerQuorumBitmapIndices =
            registryCoordinator.getQuorumBitmapIndicesAtBlockNumber(referenceBlockNumber, nonSignerOperatorIds);
        indices.quorumApkIndices = registryCoordinator.getApkIndicesAtBlockNumber(quorumNumbers, referenceBlockNumber);
        indices.totalStakeIndices =
            registryCoordinator.getTotalStakeIndicesAtBlockNumber(referenceBlockNumber, quorumNumbers);
        indices.nonSignerStakeIndices = new uint32[][](quorumNumbers.length);
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            uint8 q = uint8(quorumNumbers[i]);
            uint32[] memory tmp = new uint32[](nonSignerOperatorIds.length);
            uint256 count = 0;
            for (uint256 j = 0; j < nonSignerOperatorIds.length; j++) {
                uint192 bitmap = registryCoordinator.getQuorumBitmapAtBlockNumberByIndex(
                    nonSignerOperatorIds[j], referenceBlockNumber, indices.nonSignerQuorumBitmapIndices[j]
                );
                if ((bitmap >> q) & 1 == 1) {
                    tmp[count++] = registryCoordinator.getStakeUpdateIndexAtBlockNumber(
                        nonSignerOperatorIds[j], q, referenceBlockNumber
                    );
                }
            }
            indices.nonSignerStakeIndices[i] = new uint32[](count);
            for (uint256 k = 0; k < count; k++) {
                indices.nonSignerStakeIndices[i][k] = tmp[k];
            }
        }
    }

    /// @notice Each operator's quorum bitmap at `blockNumber`.
    function getQuorumBitmapsAtBlockNumber(
        IOperatorRegistryViews registryCoordinator,
        bytes32[] calldata operatorIds,
        uint32 blockNumber
    ) external view returns (uint256[] memory bitmaps) {
        bitmaps = new uint256[](operatorIds.length);
        for (uint256 i = 0; i < operatorIds.length; i++) {
            bitmaps[i] = registryCoordinator.getQuorumBitmapAtBlockNumber(operatorIds[i], blockNumber);
        }
    }

    function _bitmapToQuorumNumbers(uint256 bitmap) internal pure returns (bytes memory out) {
        uint256 count = 0;
        for (uint256 x = bitmap; x != 0; x &= x - 1) count++;
        out = new bytes(count);
        uint256 k = 0;
        for (uint256 q = 0; q < 192 && k < count; q++) {
            if ((bitmap >> q) & 1 == 1) out[k++] = bytes1(uint8(q));
        }
    }
}
