// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Bn254} from "./Bn254.sol";

/// @title IOperatorRegistryViews
/// @notice The history views the signature checker and the state retriever need. The names and
/// signatures are those of EigenLayer's RegistryCoordinator / BLSApkRegistry / StakeRegistry /
/// IndexRegistry, which `OperatorRegistry` implements in one contract.
interface IOperatorRegistryViews {
    function quorumCount() external view returns (uint8);
    function isRegistered(address operator) external view returns (bool);
    function getOperatorFromId(bytes32 operatorId) external view returns (address);
    function getQuorumBitmapAtBlockNumber(bytes32 operatorId, uint32 blockNumber) external view returns (uint192);
    function getQuorumBitmapIndicesAtBlockNumber(uint32 blockNumber, bytes32[] calldata operatorIds)
        external
        view
        returns (uint32[] memory);
    function getQuorumBitmapAtBlockNumberByIndex(bytes32 operatorId, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint192);
    function getApkIndicesAtBlockNumber(bytes calldata quorumNumbers, uint256 blockNumber)
        external
        view
        returns (uint32[] memory);
    function getApkHashAtBlockNumberAndIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (bytes24);
    function getStakeAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint96);
    function getStakeUpdateIndexAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32);
    function getTotalStakeIndicesAtBlockNumber(uint32 blockNumber, bytes calldata quorumNumbers)
        external
        view
        returns (uint32[] memory);
    function getStakeAtBlockNumberAndIndex(uint8 quorumNumber, uint32 blockNumber, bytes32 operatorId, uint256 index)
        external
        view
        returns (uint96);
    function getTotalStakeAtBlockNumberFromIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint96);
    function getOperatorListAtBlockNumber(uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (bytes32[] memory);
}
