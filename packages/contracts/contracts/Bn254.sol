// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title Bn254
/// @notice BN254 (alt_bn128) arithmetic on top of the EIP-196/197 precompiles (0x06 add, 0x07 mul,
/// 0x08 pairing) and EIP-198 modexp (0x05), with the EigenLayer-compatible hash-to-G1 and the
/// G1/G2 key-binding pairing check. Written for this project (MIT).
/// @dev Every precompile call has an explicit gas cap and REVERTS on failure: returning `false`
/// when a pairing runs out of gas would let a low gas estimate turn a valid signature into a cheap
/// "invalid" (see ecosystem-notes). G2 coordinates use EIP-197 order: X = [x_im, x_re].
library Bn254 {
    /// Base field modulus p.
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// Group order r.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    // Gas caps: the Istanbul prices are 150 (add), 6,000 (mul), 45,000 + 34,000 per pair (pairing);
    // modexp for 32-byte operands costs 1,349 (EIP-2565) or 4,048 (EIP-7883, Osaka).
    uint256 internal constant EC_ADD_GAS = 1_000;
    uint256 internal constant EC_MUL_GAS = 12_000;
    uint256 internal constant PAIRING_2_GAS = 130_000;
    uint256 internal constant MODEXP_GAS = 12_000;

    /// (p + 1) / 4: the square-root exponent, valid because p = 3 mod 4.
    uint256 internal constant SQRT_EXP = 5472060717959818805561601436314318772174077789324455915672259473661306552146;

    // -G2 generator (EIP-197 order), used on the left-hand pairing side.
    uint256 internal constant NEG_G2_X_IM = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 internal constant NEG_G2_X_RE = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 internal constant NEG_G2_Y_IM = 17805874995975841540914202342111839520379459829704422454583296818431106115052;
    uint256 internal constant NEG_G2_Y_RE = 13392588948715843804641432497768002650278120570034223513918757245338268106653;

    struct G1Point {
        uint256 X;
        uint256 Y;
    }

    /// @dev X = [x_im, x_re], Y = [y_im, y_re] (EIP-197 order).
    struct G2Point {
        uint256[2] X;
        uint256[2] Y;
    }

    /// A precompile call failed (invalid point, or out of gas under its cap). `precompile` is its address.
    error PrecompileFailed(uint256 precompile);
    /// A coordinate is not reduced modulo p.
    error CoordinateNotReduced();

    function generatorG1() internal pure returns (G1Point memory) {
        return G1Point(1, 2);
    }

    /// @notice Reverts unless both coordinates are < p.
    function requireReduced(G1Point memory a) internal pure {
        if (a.X >= P || a.Y >= P) revert CoordinateNotReduced();
    }

    /// @notice Reverts unless all four coordinates are < p.
    function requireReduced(G2Point memory a) internal pure {
        if (a.X[0] >= P || a.X[1] >= P || a.Y[0] >= P || a.Y[1] >= P) revert CoordinateNotReduced();
    }

    function isZero(G1Point memory a) internal pure returns (bool) {
        return a.X == 0 && a.Y == 0;
    }

    /// @notice keccak256(abi.encodePacked(X, Y)): EigenLayer's operator id / pubkey hash.
    function hashG1(G1Point memory a) internal pure returns (bytes32 h) {
        assembly {
            h := keccak256(a, 0x40)
        }
    }

    /// @notice -a (the point at infinity is its own negation). Expects reduced coordinates.
    function negate(G1Point memory a) internal pure returns (G1Point memory) {
        if (a.X == 0 && a.Y == 0) return G1Point(0, 0);
        return G1Point(a.X, P - a.Y);
    }

    /// @notice a + b via precompile 0x06.
    function add(G1Point memory a, G1Point memory b) internal view returns (G1Point memory r) {
        uint256[4] memory input;
        input[0] = a.X;
        input[1] = a.Y;
        input[2] = b.X;
        input[3] = b.Y;
        bool ok;
        assembly {
            ok := staticcall(EC_ADD_GAS, 0x06, input, 0x80, r, 0x40)
        }
        if (!ok) revert PrecompileFailed(6);
    }

    /// @notice s * a via precompile 0x07.
    function scalarMul(G1Point memory a, uint256 s) internal view returns (G1Point memory r) {
        uint256[3] memory input;
        input[0] = a.X;
        input[1] = a.Y;
        input[2] = s;
        bool ok;
        assembly {
            ok := staticcall(EC_MUL_GAS, 0x07, input, 0x60, r, 0x40)
        }
        if (!ok) revert PrecompileFailed(7);
    }

    /// @notice e(a1, a2) * e(b1, b2) == 1, via precompile 0x08. Reverts if the call fails.
    function pairing2(G1Point memory a1, G2Point memory a2, G1Point memory b1, G2Point memory b2)
        internal
        view
        returns (bool)
    {
        uint256[12] memory input;
        input[0] = a1.X;
        input[1] = a1.Y;
        input[2] = a2.X[0];
        input[3] = a2.X[1];
        input[4] = a2.Y[0];
        input[5] = a2.Y[1];
        input[6] = b1.X;
        input[7] = b1.Y;
        input[8] = b2.X[0];
        input[9] = b2.X[1];
        input[10] = b2.Y[0];
        input[11] = b2.Y[1];
        uint256[1] memory out;
        bool ok;
        assembly {
            ok := staticcall(PAIRING_2_GAS, 0x08, input, 0x180, out, 0x20)
        }
        if (!ok) revert PrecompileFailed(8);
        return out[0] == 1;
    }

    /// @notice base^exp mod p via precompile 0x05.
    function expModP(uint256 base, uint256 exponent) internal view returns (uint256 result) {
        uint256[6] memory input;
        input[0] = 0x20;
        input[1] = 0x20;
        input[2] = 0x20;
        input[3] = base;
        input[4] = exponent;
        input[5] = P;
        uint256[1] memory out;
        bool ok;
        assembly {
            ok := staticcall(MODEXP_GAS, 0x05, input, 0xc0, out, 0x20)
        }
        if (!ok) revert PrecompileFailed(5);
        return out[0];
    }

    /// @notice EigenLayer-compatible hash to G1 by try-and-increment: x = digest mod p; while
    /// x^3 + 3 has no square root, x = x + 1. y = (x^3 + 3)^((p+1)/4), never normalised.
    /// Identical to `hashToG1` of the avs-raft BLS package.
    function hashToG1(bytes32 digest) internal view returns (G1Point memory) {
        uint256 x = uint256(digest) % P;
        while (true) {
            uint256 beta = addmod(mulmod(mulmod(x, x, P), x, P), 3, P);
            uint256 y = expModP(beta, SQRT_EXP);
            if (mulmod(y, y, P) == beta) return G1Point(x, y);
            x = addmod(x, 1, P);
        }
        // Unreachable: about half of all x values are on the curve.
        return G1Point(0, 0);
    }

    /// @notice Checks sigma = sk * H, pkG1 = sk * G1 and pkG2 = sk * G2 for one unknown sk with a single
    /// two-pair pairing: e(sigma + gamma*pkG1, -G2) * e(H + gamma*G1, pkG2) == 1, where gamma is a
    /// Fiat-Shamir challenge over all inputs. Returns false for a wrong signature or mismatched keys;
    /// reverts on unreduced coordinates or any precompile failure.
    function verifyWithG1Binding(bytes32 msgHash, G1Point memory h, G1Point memory pkG1, G2Point memory pkG2, G1Point memory sigma)
        internal
        view
        returns (bool)
    {
        requireReduced(pkG1);
        requireReduced(pkG2);
        requireReduced(sigma);
        uint256 gamma = uint256(
            keccak256(
                abi.encodePacked(
                    msgHash, pkG1.X, pkG1.Y, pkG2.X[0], pkG2.X[1], pkG2.Y[0], pkG2.Y[1], sigma.X, sigma.Y
                )
            )
        ) % R;
        G2Point memory negG2 = G2Point([NEG_G2_X_IM, NEG_G2_X_RE], [NEG_G2_Y_IM, NEG_G2_Y_RE]);
        return pairing2(
            add(sigma, scalarMul(pkG1, gamma)), negG2, add(h, scalarMul(generatorG1(), gamma)), pkG2
        );
    }

    /// @notice Proof of possession of the secret behind pkG1 and pkG2: sig = sk * messagePoint with
    /// gamma = keccak256(sig, pkG1, pkG2, messagePoint) mod r (EigenLayer's registration check):
    /// e(sig + gamma*pkG1, -G2) * e(messagePoint + gamma*G1, pkG2) == 1.
    function verifyPossession(G1Point memory sig, G1Point memory pkG1, G2Point memory pkG2, G1Point memory messagePoint)
        internal
        view
        returns (bool)
    {
        requireReduced(sig);
        requireReduced(pkG1);
        requireReduced(pkG2);
        uint256 gamma = uint256(
            keccak256(
                abi.encodePacked(
                    sig.X,
                    sig.Y,
                    pkG1.X,
                    pkG1.Y,
                    pkG2.X[0],
                    pkG2.X[1],
                    pkG2.Y[0],
                    pkG2.Y[1],
                    messagePoint.X,
                    messagePoint.Y
                )
            )
        ) % R;
        G2Point memory negG2 = G2Point([NEG_G2_X_IM, NEG_G2_X_RE], [NEG_G2_Y_IM, NEG_G2_Y_RE]);
        return pairing2(
            add(sig, scalarMul(pkG1, gamma)), negG2, add(messagePoint, scalarMul(generatorG1(), gamma)), pkG2
        );
    }
}
