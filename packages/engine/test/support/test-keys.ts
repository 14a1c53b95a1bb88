/**
 * Operator keys for the engine's tests without `@avs/chain` or ethers (the
 * layer check keeps both out of this package, tests included): a
 * {@link JoinAuthenticator} that signs join requests with secp256k1 over
 * keccak256 of their canonical JSON (the production one is EIP-712, in
 * `@avs/engine-chain`; the engine only sees the port), and the squaring AVS's digest.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import type { JoinAnswer, JoinAuthenticator, JoinRequest, SignedJoinRequest } from '../../src/index.js';

const strip = (hex: string) => (hex.startsWith('0x') ? hex.slice(2) : hex);

/** Lowercase 0x address of a secp256k1 private key. */
export function addressOfKey(privateKey: string): string {
  const pub = secp256k1.getPublicKey(hexToBytes(strip(privateKey)), false);
  return `0x${bytesToHex(keccak_256(pub.subarray(1)).subarray(12))}`;
}

/** A random secp256k1 private key (0x hex). */
export function randomKey(): string {
  return `0x${bytesToHex(secp256k1.utils.randomSecretKey())}`;
}

function digestOf(request: JoinRequest): Uint8Array {
  const ordered = Object.fromEntries(Object.entries(request).sort(([a], [b]) => (a < b ? -1 : 1)));
  return keccak_256(utf8ToBytes(JSON.stringify(ordered)));
}

/** The answer's digest: a tag (so no answer signature passes as a request's), then its canonical JSON. */
function answerDigestOf(answer: JoinAnswer): Uint8Array {
  const members = answer.members.map((m) => [m.id, m.operatorId, m.httpUrl, m.raftUrl]);
  const { members: _m, ...rest } = answer;
  const ordered = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  return keccak_256(utf8ToBytes(`join-answer:${JSON.stringify([ordered, members])}`));
}

function signDigest(digest: Uint8Array, key: Uint8Array): string {
  const sig = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' });
  return `0x${bytesToHex(concatBytes(sig.subarray(1), new Uint8Array([27 + sig[0]!])))}`;
}

function recoverDigest(digest: Uint8Array, signature: string): string | undefined {
  try {
    const bytes = hexToBytes(strip(signature));
    const bit = bytes[64]! - 27;
    if (bytes.length !== 65 || (bit !== 0 && bit !== 1)) return undefined;
    const recovered = concatBytes(new Uint8Array([bit]), bytes.subarray(0, 64));
    const pub = secp256k1.recoverPublicKey(recovered, digest, { prehash: false });
    const full = secp256k1.Point.fromBytes(pub).toBytes(false);
    return `0x${bytesToHex(keccak_256(full.subarray(1)).subarray(12))}`;
  } catch {
    return undefined;
  }
}

/** The tests' join signer and verifier for `privateKey`. */
export function testJoinAuth(privateKey: string): JoinAuthenticator {
  const key = hexToBytes(strip(privateKey));
  const address = addressOfKey(privateKey);
  return {
    address,
    async sign(request: JoinRequest): Promise<SignedJoinRequest> {
      if (request.operator.toLowerCase() !== address) throw new Error('not this key’s request');
      return { request, signature: signDigest(digestOf(request), key) };
    },
    recoverSigner: (signed) => recoverDigest(digestOf(signed.request), signed.signature),
    async signAnswer(answer) {
      if (answer.answeredBy.toLowerCase() !== address) throw new Error('not this key’s answer');
      return signDigest(answerDigestOf(answer), key);
    },
    recoverAnswerSigner: (answer, signature) => recoverDigest(answerDigestOf(answer), signature),
  };
}

const word = (v: bigint) => hexToBytes(v.toString(16).padStart(64, '0'));

/** `keccak256(abi.encode(tuple(uint32 taskIndex, uint256 number, uint256 numberSquared)))`: three static words. */
export function squareDigest(r: { taskIndex: number; number: number; numberSquared: string }): `0x${string}` {
  return `0x${bytesToHex(keccak_256(concatBytes(word(BigInt(r.taskIndex)), word(BigInt(r.number)), word(BigInt(r.numberSquared)))))}`;
}
