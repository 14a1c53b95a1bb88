// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title BatchMerkle
/// @notice The Merkle tree a batch signature commits to (same as @avs/bls/batch): leaves are the
/// tasks' response digests in batch order, a parent is keccak256(left ‖ right), and a node without
/// a sibling at the end of a level is carried up unchanged. The leaf count is signed with the root.
/// @dev Written for this project (MIT). Leaves are keccak256 of an ABI-encoded response (at least
/// 128 bytes), so a leaf cannot pass for an inner node (a keccak256 of 64 bytes).
library BatchMerkle {
    /// Root of `nodes` (at least one), computed in place: `nodes` is overwritten.
    function rootInPlace(bytes32[] memory nodes) internal pure returns (bytes32) {
        uint256 width = nodes.length;
        while (width > 1) {
            uint256 half = width >> 1;
            for (uint256 i = 0; i < half; i++) {
                nodes[i] = hashPair(nodes[2 * i], nodes[2 * i + 1]);
            }
            if (width & 1 == 1) {
                nodes[half] = nodes[width - 1];
                width = half + 1;
            } else {
                width = half;
            }
        }
        return nodes[0];
    }

    /// Whether `leaf` is at `index` of the `count`-leaf tree with `root`, given the siblings from the
    /// leaf up (levels where the node is carried up take none).
    function verify(bytes32[] calldata proof, bytes32 root, bytes32 leaf, uint256 index, uint256 count)
        internal
        pure
        returns (bool)
    {
        if (index >= count) return false;
        bytes32 node = leaf;
        uint256 used = 0;
        for (uint256 width = count; width > 1; width = (width + 1) >> 1) {
            if ((index ^ 1) < width) {
                if (used >= proof.length) return false;
                bytes32 sibling = proof[used++];
                node = index & 1 == 1 ? hashPair(sibling, node) : hashPair(node, sibling);
            }
            index >>= 1;
        }
        return used == proof.length && node == root;
    }

    function hashPair(bytes32 left, bytes32 right) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            h := keccak256(0x00, 0x40)
        }
    }
}
