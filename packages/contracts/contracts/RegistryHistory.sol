// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Bn254} from "./Bn254.sol";

/// @title RegistryHistory
/// @notice The per-block history of `OperatorRegistry`: each operator's quorum bitmap, each
/// operator's and each quorum's stake, and each quorum's aggregate G1 key (APK), with the
/// EigenLayer-shaped views that read it (RegistryCoordinator bitmaps, BLSApkRegistry APKs,
/// StakeRegistry stakes).
/// @dev Every update records the block it takes effect from and closes the previous one
/// (`nextFromBlock`); several updates in one block overwrite each other, so a block has one state.
/// The views that take an `index` check that it names the update in force at `blockNumber`
/// (`StaleIndex` otherwise), which is what lets a signature checker trust caller-supplied indices.
/// Written for this project (MIT).
abstract contract RegistryHistory {
    /// A quorum bitmap valid from `fromBlock` until `nextFromBlock` (exclusive; 0 = still current).
    struct BitmapUpdate {
        uint32 fromBlock;
        uint32 nextFromBlock;
        uint192 bitmap;
    }

    struct StakeUpdate {
        uint32 fromBlock;
        uint32 nextFromBlock;
        uint96 stake;
    }

    /// Truncated keccak256 of the quorum's aggregate G1 key; the full key is kept for the current block.
    struct ApkUpdate {
        bytes24 apkHash;
        uint32 fromBlock;
        uint32 nextFromBlock;
    }

    mapping(bytes32 => BitmapUpdate[]) internal _bitmapHistory;
    /// Effective stake: the assigned stake while registered in the quorum, else 0.
    mapping(bytes32 => mapping(uint8 => StakeUpdate[])) internal _stakeHistory;
    mapping(uint8 => StakeUpdate[]) internal _totalStakeHistory;
    mapping(uint8 => ApkUpdate[]) internal _apkHistory;
    mapping(uint8 => Bn254.G1Point) internal _currentApk;

    error NoHistoryAtBlock(uint32 blockNumber);
    error StaleIndex(uint32 blockNumber, uint256 index);

    // ------------------------------------ EigenLayer-shaped views (RegistryCoordinator)

    function getCurrentQuorumBitmap(bytes32 operatorId) external view returns (uint192) {
        return _currentBitmap(operatorId);
    }

    function getQuorumBitmapIndicesAtBlockNumber(uint32 blockNumber, bytes32[] calldata operatorIds)
        external
        view
        returns (uint32[] memory indices)
    {
        indices = new uint32[](operatorIds.length);
        for (uint256 i = 0; i < operatorIds.length; i++) {
            indices[i] = _bitmapIndexAt(_bitmapHistory[operatorIds[i]], blockNumber);
        }
    }

    /// @notice The quorum bitmap at `blockNumber`, checking that `index` is the update in force then.
    function getQuorumBitmapAtBlockNumberByIndex(bytes32 operatorId, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint192)
    {
        if (index >= _bitmapHistory[operatorId].length) revert StaleIndex(blockNumber, index);
        BitmapUpdate memory u = _bitmapHistory[operatorId][index];
        _requireInForce(u.fromBlock, u.nextFromBlock, blockNumber, index);
        return u.bitmap;
    }

    function getQuorumBitmapAtBlockNumber(bytes32 operatorId, uint32 blockNumber) public view returns (uint192) {
        BitmapUpdate[] storage h = _bitmapHistory[operatorId];
        for (uint256 i = h.length; i > 0; i--) {
            if (h[i - 1].fromBlock <= blockNumber) return h[i - 1].bitmap;
        }
        return 0;
    }

    // ------------------------------------------ EigenLayer-shaped views (BLSApkRegistry)

    function getApk(uint8 quorumNumber) external view returns (Bn254.G1Point memory) {
        return _currentApk[quorumNumber];
    }

    function getApkIndicesAtBlockNumber(bytes calldata quorumNumbers, uint256 blockNumber)
        external
        view
        returns (uint32[] memory indices)
    {
        indices = new uint32[](quorumNumbers.length);
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            ApkUpdate[] storage h = _apkHistory[uint8(quorumNumbers[i])];
            uint256 j = h.length;
            while (j > 0 && h[j - 1].fromBlock > blockNumber) j--;
            if (j == 0) revert NoHistoryAtBlock(uint32(blockNumber));
            indices[i] = uint32(j - 1);
        }
    }

    function getApkHashAtBlockNumberAndIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (bytes24)
    {
        if (index >= _apkHistory[quorumNumber].length) revert StaleIndex(blockNumber, index);
        ApkUpdate memory u = _apkHistory[quorumNumber][index];
        _requireInForce(u.fromBlock, u.nextFromBlock, blockNumber, index);
        return u.apkHash;
    }

    // ------------------------------------------- EigenLayer-shaped views (StakeRegistry)

    function getCurrentStake(bytes32 operatorId, uint8 quorumNumber) external view returns (uint96) {
        return _latest(_stakeHistory[operatorId][quorumNumber]);
    }

    function getCurrentTotalStake(uint8 quorumNumber) external view returns (uint96) {
        return _latest(_totalStakeHistory[quorumNumber]);
    }

    function getStakeAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint96)
    {
        StakeUpdate[] storage h = _stakeHistory[operatorId][quorumNumber];
        for (uint256 i = h.length; i > 0; i--) {
            if (h[i - 1].fromBlock <= blockNumber) return h[i - 1].stake;
        }
        return 0;
    }

    function getStakeUpdateIndexAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32)
    {
        return _stakeIndexAt(_stakeHistory[operatorId][quorumNumber], blockNumber);
    }

    function getTotalStakeIndicesAtBlockNumber(uint32 blockNumber, bytes calldata quorumNumbers)
        external
        view
        returns (uint32[] memory indices)
    {
        indices = new uint32[](quorumNumbers.length);
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            indices[i] = _stakeIndexAt(_totalStakeHistory[uint8(quorumNumbers[i])], blockNumber);
        }
    }

    function getStakeAtBlockNumberAndIndex(uint8 quorumNumber, uint32 blockNumber, bytes32 operatorId, uint256 index)
        external
        view
        returns (uint96)
    {
        return _stakeByIndex(_stakeHistory[operatorId][quorumNumber], blockNumber, index);
    }

    function getTotalStakeAtBlockNumberFromIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint96)
    {
        return _stakeByIndex(_totalStakeHistory[quorumNumber], blockNumber, index);
    }

    // --------------------------------------------------------------- internals

    function _currentBitmap(bytes32 operatorId) internal view returns (uint192) {
        BitmapUpdate[] storage h = _bitmapHistory[operatorId];
        return h.length == 0 ? 0 : h[h.length - 1].bitmap;
    }

    function _pushBitmap(bytes32 operatorId, uint192 bitmap) internal {
        BitmapUpdate[] storage h = _bitmapHistory[operatorId];
        uint32 blockNumber = uint32(block.number);
        if (h.length > 0 && h[h.length - 1].fromBlock == blockNumber) {
            h[h.length - 1].bitmap = bitmap;
            return;
        }
        if (h.length > 0) h[h.length - 1].nextFromBlock = blockNumber;
        h.push(BitmapUpdate(blockNumber, 0, bitmap));
    }

    function _pushStake(StakeUpdate[] storage h, uint96 stake) internal {
        uint32 blockNumber = uint32(block.number);
        if (h.length > 0 && h[h.length - 1].fromBlock == blockNumber) {
            h[h.length - 1].stake = stake;
            return;
        }
        if (h.length > 0) h[h.length - 1].nextFromBlock = blockNumber;
        h.push(StakeUpdate(blockNumber, 0, stake));
    }

    function _pushApk(uint8 q, Bn254.G1Point memory apk) internal {
        _currentApk[q] = apk;
        bytes24 apkHash = bytes24(Bn254.hashG1(apk));
        ApkUpdate[] storage h = _apkHistory[q];
        uint32 blockNumber = uint32(block.number);
        if (h.length > 0 && h[h.length - 1].fromBlock == blockNumber) {
            h[h.length - 1].apkHash = apkHash;
            return;
        }
        if (h.length > 0) h[h.length - 1].nextFromBlock = blockNumber;
        h.push(ApkUpdate(apkHash, blockNumber, 0));
    }

    /// Reverts unless an update valid over [fromBlock, nextFromBlock) (0 = open) covers blockNumber.
    function _requireInForce(uint32 fromBlock, uint32 nextFromBlock, uint32 blockNumber, uint256 index) internal pure {
        if (fromBlock > blockNumber || (nextFromBlock != 0 && nextFromBlock <= blockNumber)) {
            revert StaleIndex(blockNumber, index);
        }
    }

    function _latest(StakeUpdate[] storage h) internal view returns (uint96) {
        return h.length == 0 ? 0 : h[h.length - 1].stake;
    }

    function _stakeIndexAt(StakeUpdate[] storage h, uint32 blockNumber) internal view returns (uint32) {
        for (uint256 i = h.length; i > 0; i--) {
            if (h[i - 1].fromBlock <= blockNumber) return uint32(i - 1);
        }
        revert NoHistoryAtBlock(blockNumber);
    }

    function _bitmapIndexAt(BitmapUpdate[] storage h, uint32 blockNumber) internal view returns (uint32) {
        for (uint256 i = h.length; i > 0; i--) {
            if (h[i - 1].fromBlock <= blockNumber) return uint32(i - 1);
        }
        revert NoHistoryAtBlock(blockNumber);
    }

    function _stakeByIndex(StakeUpdate[] storage h, uint32 blockNumber, uint256 index)
        internal
        view
        returns (uint96)
    {
        if (index >= h.length) revert StaleIndex(blockNumber, index);
        StakeUpdate memory u = h[index];
        _requireInForce(u.fromBlock, u.nextFromBlock, blockNumber, index);
        return u.stake;
    }
}
