// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Bn254} from "./Bn254.sol";
import {IOperatorRegistryViews} from "./IOperatorRegistryViews.sol";

/// @title BlsSignatureChecker
/// @notice Checks a BLS aggregate signature over `msgHash` against the operator set of some quorums
/// at a reference block, and returns the signed and total stake per quorum. Argument and result
/// shapes follow EigenLayer's `checkSignatures`, so an EigenLayer aggregator's output fits.
/// @dev Written for this project (MIT). Per quorum q: signers' key = quorumApk[q] minus the
/// non-signers registered in q at the reference block; the G1 sum over quorums is bound to `apkG2`
/// and the signature with one two-pair pairing (Bn254.verifyWithG1Binding). History entries are
/// addressed by caller-supplied indices (see the state retriever), which the registry verifies.
abstract contract BlsSignatureChecker {
    using Bn254 for Bn254.G1Point;

    struct NonSignerStakesAndSignature {
        uint32[] nonSignerQuorumBitmapIndices;
        Bn254.G1Point[] nonSignerPubkeys;
        Bn254.G1Point[] quorumApks;
        Bn254.G2Point apkG2;
        Bn254.G1Point sigma;
        uint32[] quorumApkIndices;
        uint32[] totalStakeIndices;
        /// nonSignerStakeIndices[quorumIndex][k]: for the k-th non-signer (in input order) that is
        /// registered in that quorum at the reference block.
        uint32[][] nonSignerStakeIndices;
    }

    struct QuorumStakeTotals {
        uint96[] signedStakeForQuorum;
        uint96[] totalStakeForQuorum;
    }

    IOperatorRegistryViews public immutable registry;

    error InvalidQuorumNumbers();
    error InputLengthMismatch();
    error ReferenceBlockNotInPast(uint32 referenceBlockNumber, uint256 currentBlock);
    error NonSignersNotSorted();
    error QuorumApkMismatch(uint8 quorumNumber);
    error NonSignerStakeIndicesMismatch(uint8 quorumNumber);
    error InvalidSignature();

    constructor(IOperatorRegistryViews registry_) {
        registry = registry_;
    }

    /// @notice Verifies the aggregate and returns per-quorum signed/total stake and
    /// keccak256(abi.encodePacked(referenceBlockNumber, nonSignerOperatorIds)).
    /// @dev Reverts on malformed input, a stale history index, a wrong quorum key, or an invalid
    /// signature (never returns "invalid").
    function checkSignatures(
        bytes32 msgHash,
        bytes calldata quorumNumbers,
        uint32 referenceBlockNumber,
        NonSignerStakesAndSignature calldata params
    ) public view returns (QuorumStakeTotals memory totals, bytes32 signatoryRecordHash) {
        uint256 quorumLen = quorumNumbers.length;
        if (
            params.quorumApks.length != quorumLen || params.quorumApkIndices.length != quorumLen
                || params.totalStakeIndices.length != quorumLen || params.nonSignerStakeIndices.length != quorumLen
                || params.nonSignerPubkeys.length != params.nonSignerQuorumBitmapIndices.length
        ) revert InputLengthMismatch();
        if (referenceBlockNumber >= block.number) revert ReferenceBlockNotInPast(referenceBlockNumber, block.number);
        NonSigners memory nonSigners =
            _nonSigners(_quorumBitmap(quorumNumbers), referenceBlockNumber, params);
        Bn254.G1Point memory apk = nonSigners.negatedApk;
        totals.signedStakeForQuorum = new uint96[](quorumLen);
        totals.totalStakeForQuorum = new uint96[](quorumLen);
        for (uint256 i = 0; i < quorumLen; i++) {
            uint8 q = uint8(quorumNumbers[i]);
            apk = apk.add(_checkedQuorumApk(q, referenceBlockNumber, params.quorumApks[i], params.quorumApkIndices[i]));
            uint96 total =
                registry.getTotalStakeAtBlockNumberFromIndex(q, referenceBlockNumber, params.totalStakeIndices[i]);
            totals.totalStakeForQuorum[i] = total;
            totals.signedStakeForQuorum[i] =
                total - _nonSignerStake(q, referenceBlockNumber, nonSigners, params.nonSignerStakeIndices[i]);
        }

        if (!Bn254.verifyWithG1Binding(msgHash, Bn254.hashToG1(msgHash), apk, params.apkG2, params.sigma)) {
            revert InvalidSignature();
        }
        signatoryRecordHash = keccak256(abi.encodePacked(referenceBlockNumber, nonSigners.ids));
    }

    /// Non-signer ids (strictly ascending), their quorum bitmaps restricted to the task's quorums, and
    /// minus the sum of their keys counted once per task quorum they are in.
    struct NonSigners {
        bytes32[] ids;
        uint256[] bitmaps;
        Bn254.G1Point negatedApk;
    }

    function _nonSigners(uint256 taskBitmap, uint32 referenceBlockNumber, NonSignerStakesAndSignature calldata params)
        internal
        view
        returns (NonSigners memory out)
    {
        uint256 n = params.nonSignerPubkeys.length;
        out.ids = new bytes32[](n);
        out.bitmaps = new uint256[](n);
        out.negatedApk = Bn254.G1Point(0, 0);
        for (uint256 j = 0; j < n; j++) {
            Bn254.G1Point memory pk = params.nonSignerPubkeys[j];
            Bn254.requireReduced(pk);
            bytes32 id = Bn254.hashG1(pk);
            if (j > 0 && uint256(id) <= uint256(out.ids[j - 1])) revert NonSignersNotSorted();
            out.ids[j] = id;
            uint256 inTask = uint256(
                registry.getQuorumBitmapAtBlockNumberByIndex(
                    id, referenceBlockNumber, params.nonSignerQuorumBitmapIndices[j]
                )
            ) & taskBitmap;
            out.bitmaps[j] = inTask;
            uint256 times = _popCount(inTask);
            if (times == 1) out.negatedApk = out.negatedApk.add(pk.negate());
            else if (times > 1) out.negatedApk = out.negatedApk.add(pk.negate().scalarMul(times));
        }
    }

    function _checkedQuorumApk(uint8 q, uint32 referenceBlockNumber, Bn254.G1Point calldata quorumApk, uint32 index)
        internal
        view
        returns (Bn254.G1Point memory apk)
    {
        apk = quorumApk;
        Bn254.requireReduced(apk);
        if (bytes24(Bn254.hashG1(apk)) != registry.getApkHashAtBlockNumberAndIndex(q, referenceBlockNumber, index)) {
            revert QuorumApkMismatch(q);
        }
    }

    function _nonSignerStake(
        uint8 q,
        uint32 referenceBlockNumber,
        NonSigners memory nonSigners,
        uint32[] calldata stakeIndices
    ) internal view returns (uint96 sum) {
        uint256 k = 0;
        for (uint256 j = 0; j < nonSigners.ids.length; j++) {
            if ((nonSigners.bitmaps[j] >> q) & 1 == 0) continue;
            if (k >= stakeIndices.length) revert NonSignerStakeIndicesMismatch(q);
            sum += registry.getStakeAtBlockNumberAndIndex(q, referenceBlockNumber, nonSigners.ids[j], stakeIndices[k]);
            k++;
        }
        if (k != stakeIndices.length) revert NonSignerStakeIndicesMismatch(q);
    }

    /// Strictly ascending and non-empty. (A quorum that does not exist has no history, so the
    /// registry's index checks reject it; no extra call is spent here.)
    function _quorumBitmap(bytes calldata quorumNumbers) internal pure returns (uint256 bitmap) {
        if (quorumNumbers.length == 0) revert InvalidQuorumNumbers();
        uint256 previous = 0;
        for (uint256 i = 0; i < quorumNumbers.length; i++) {
            uint256 q = uint8(quorumNumbers[i]);
            if (i > 0 && q <= previous) revert InvalidQuorumNumbers();
            bitmap |= 1 << q;
            previous = q;
        }
    }

    function _popCount(uint256 x) internal pure returns (uint256 c) {
        while (x != 0) {
            x &= x - 1;
            c++;
        }
    }
}
