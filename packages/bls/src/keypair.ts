import { bn254 } from '@noble/curves/bn254.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { activeBackend } from './backend/select.js';
import { G1, type G1Point, G2, type G2Point } from './curve.js';
import type { Digest } from './digest.js';
import { hashToG1 } from './hash-to-g1.js';
import { type OperatorId, operatorIdFromPublicKey } from './operator-id.js';
import { parseSecretKey, type SecretKeyInput } from './scalar.js';

/**
 * A BN254 BLS key pair, EigenLayer style: signatures in G1, keys in both G1
 * (the registry and operator id) and G2 (the pairing check). Public keys are
 * computed on first use and cached.
 */
export class BlsKeyPair {
  readonly #sk: bigint;
  #g1: G1Point | undefined;
  #g2: G2Point | undefined;
  #id: OperatorId | undefined;

  private constructor(sk: bigint) {
    this.#sk = sk;
  }

  /**
   * @param sk - bigint, decimal string, 0x hex, or 32 big-endian bytes; must be in [1, r-1].
   * @throws InvalidScalarError if malformed or out of range.
   */
  static fromSecretKey(sk: SecretKeyInput): BlsKeyPair {
    return new BlsKeyPair(parseSecretKey(sk));
  }

  /** A fresh key pair from the runtime's CSPRNG (globalThis.crypto), uniform in [1, r-1]. */
  static generate(): BlsKeyPair {
    return new BlsKeyPair(bytesToNumberBE(bn254.utils.randomSecretKey()));
  }

  /** sk * G1. */
  get publicKeyG1(): G1Point {
    if (this.#g1 === undefined) this.#g1 = activeBackend().g1Mul(G1.BASE, this.#sk);
    return this.#g1;
  }

  /** sk * G2. */
  get publicKeyG2(): G2Point {
    if (this.#g2 === undefined) this.#g2 = activeBackend().g2Mul(G2.BASE, this.#sk);
    return this.#g2;
  }

  /** keccak256(pkG1.X ‖ pkG1.Y), 0x-prefixed lowercase hex. */
  get operatorId(): OperatorId {
    if (this.#id === undefined) this.#id = operatorIdFromPublicKey(this.publicKeyG1);
    return this.#id;
  }

  /**
   * Signs a 32-byte digest: sk * hashToG1(digest).
   * @throws InvalidEncodingError if the digest is not 32 bytes.
   */
  sign(digest: Digest): G1Point {
    return activeBackend().g1Mul(hashToG1(digest), this.#sk);
  }

  /** Signs a message that is already a G1 point (e.g. the registry's pubkey registration message hash). */
  signPoint(messagePoint: G1Point): G1Point {
    return activeBackend().g1Mul(messagePoint, this.#sk);
  }

  /** The secret scalar. Sensitive: only for writing a keystore or handing to another signer. */
  exportSecretKey(): bigint {
    return this.#sk;
  }

  /** Never prints the secret. */
  toJSON(): { operatorId: OperatorId } {
    return { operatorId: this.operatorId };
  }
}
