import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { G1Point } from './curve.js';
import { g1ToBytes } from './encoding.js';

/** A 0x-prefixed, lowercase, 64-hex-digit operator id. */
export type OperatorId = `0x${string}`;

/**
 * EigenLayer's operator id: keccak256(abi.encodePacked(pkG1.X, pkG1.Y)), each
 * coordinate a full 32-byte word (as BN254.hashG1Point computes on-chain; the
 * point at infinity hashes as (0, 0)).
 * @param publicKeyG1 - The operator's G1 public key.
 * @returns 0x-prefixed lowercase hex.
 */
export function operatorIdFromPublicKey(publicKeyG1: G1Point): OperatorId {
  return `0x${bytesToHex(keccak_256(g1ToBytes(publicKeyG1)))}`;
}

/** keccak256 of (0, 0): the id of the zero key, which the registry refuses. */
export const ZERO_PK_HASH: OperatorId = '0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5';

/** The operator id as a uint256 (the order in which non-signers are sorted on-chain). */
export function operatorIdToBigInt(id: OperatorId): bigint {
  return BigInt(id);
}
