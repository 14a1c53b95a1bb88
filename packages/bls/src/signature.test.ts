import { keccak_256 } from '@noble/hashes/sha3.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { FR_MODULUS, G1, G2 } from './curve.js';
import { InvalidEncodingError, InvalidPointError, InvalidScalarError } from './errors.js';
import { hashToG1 } from './hash-to-g1.js';
import { BlsKeyPair } from './keypair.js';
import {
  makePubkeyRegistrationParams,
  publicKeysMatch,
  verifyProofOfPossession,
} from './proof-of-possession.js';
import { aggregatePublicKeysG1, aggregatePublicKeysG2, aggregateSignatures, verify } from './signature.js';
import { signatureCheckerGamma, trySignatureAndApkVerification } from './signature-checker.js';

const digest = keccak_256(utf8ToBytes('task 1'));
const other = keccak_256(utf8ToBytes('task 2'));
const keys = [11n, 22n, 33n].map((sk) => BlsKeyPair.fromSecretKey(sk));

describe('BlsKeyPair', () => {
  it('accepts bigint, decimal, hex and bytes for the same key', () => {
    const bytes = new Uint8Array(32);
    bytes[31] = 69;
    const forms = [69n, '69', '0x45', bytes].map((s) => BlsKeyPair.fromSecretKey(s).operatorId);
    expect(new Set(forms).size).toBe(1);
  });
  it('refuses zero, r and above, negative and malformed keys', () => {
    for (const bad of [0n, FR_MODULUS, FR_MODULUS + 1n, -1n, 'abc', '0x', '', new Uint8Array(31)]) {
      expect(() => BlsKeyPair.fromSecretKey(bad)).toThrow(InvalidScalarError);
    }
  });
  it('generates distinct valid keys whose G1 and G2 keys match', () => {
    const a = BlsKeyPair.generate();
    const b = BlsKeyPair.generate();
    expect(a.operatorId).not.toBe(b.operatorId);
    expect(a.operatorId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(publicKeysMatch(a.publicKeyG1, a.publicKeyG2)).toBe(true);
    expect(publicKeysMatch(a.publicKeyG1, b.publicKeyG2)).toBe(false);
    expect(JSON.stringify(a)).not.toContain(a.exportSecretKey().toString());
  });
});

describe('sign / verify', () => {
  it('verifies its own signature and rejects other digests, keys and tampered signatures', () => {
    const [a, b] = keys as [BlsKeyPair, BlsKeyPair];
    const sig = a.sign(digest);
    expect(verify(digest, sig, a.publicKeyG2)).toBe(true);
    expect(verify(other, sig, a.publicKeyG2)).toBe(false);
    expect(verify(digest, sig, b.publicKeyG2)).toBe(false);
    expect(verify(digest, sig.add(G1.BASE), a.publicKeyG2)).toBe(false);
    expect(verify(digest, G1.ZERO, a.publicKeyG2)).toBe(false);
    expect(verify(digest, sig, G2.ZERO)).toBe(false);
  });
  it('throws a typed error for a signature point off the curve', () => {
    expect(() => verify(digest, G1.fromAffine({ x: 1n, y: 3n }), keys[0]!.publicKeyG2)).toThrow(
      InvalidPointError,
    );
  });
  it('throws a typed error for a digest that is not 32 bytes', () => {
    expect(() => hashToG1(new Uint8Array(31))).toThrow(InvalidEncodingError);
    expect(() => keys[0]?.sign('0x1234')).toThrow(InvalidEncodingError);
  });
  it('hashToG1 is try-and-increment without y normalisation', () => {
    const h = hashToG1(digest).toAffine();
    const p = G1.CURVE().p;
    expect((h.y * h.y) % p).toBe((h.x * h.x * h.x + 3n) % p);
    expect(h.x >= BigInt(`0x${Buffer.from(digest).toString('hex')}`) % p).toBe(true);
  });
  it('aggregates signatures and keys; the aggregate verifies, and a swapped-in bad signature breaks it', () => {
    const sigs = keys.map((k) => k.sign(digest));
    const agg = aggregateSignatures(sigs);
    const apk2 = aggregatePublicKeysG2(keys.map((k) => k.publicKeyG2));
    const apk1 = aggregatePublicKeysG1(keys.map((k) => k.publicKeyG1));
    expect(verify(digest, agg, apk2)).toBe(true);
    expect(trySignatureAndApkVerification(digest, apk1, apk2, agg)).toEqual({
      pairingSuccessful: true,
      signatureIsValid: true,
    });
    const bad = aggregateSignatures([sigs[0]!, sigs[1]!, keys[2]!.sign(other)]);
    expect(verify(digest, bad, apk2)).toBe(false);
    expect(aggregateSignatures([]).is0()).toBe(true);
  });
});

describe('trySignatureAndApkVerification', () => {
  const k = keys[0]!;
  const sig = k.sign(digest);
  it('gamma hashes msgHash, apk, apkG2 (imaginary first) and sigma', () => {
    const g = signatureCheckerGamma(digest, k.publicKeyG1, k.publicKeyG2, sig);
    expect(g).toBeGreaterThan(0n);
    expect(g).toBeLessThan(FR_MODULUS);
    expect(signatureCheckerGamma(other, k.publicKeyG1, k.publicKeyG2, sig)).not.toBe(g);
  });
  it('fails when apkG1 does not match apkG2 even though sigma matches apkG2', () => {
    const r = trySignatureAndApkVerification(digest, keys[1]!.publicKeyG1, k.publicKeyG2, sig);
    expect(r).toEqual({ pairingSuccessful: true, signatureIsValid: false });
  });
  it('reports pairingSuccessful: false for an invalid point (as the precompile fails)', () => {
    const offCurve = G1.fromAffine({ x: 1n, y: 3n });
    expect(trySignatureAndApkVerification(digest, k.publicKeyG1, k.publicKeyG2, offCurve)).toEqual({
      pairingSuccessful: false,
      signatureIsValid: false,
    });
  });
});

describe('proof of possession', () => {
  const message = hashToG1(keccak_256(utf8ToBytes('registration of 0xabc')));
  it('accepts the registration params of a key pair', () => {
    const k = keys[1]!;
    expect(verifyProofOfPossession(makePubkeyRegistrationParams(k, message), message)).toBe(true);
  });
  it('rejects mismatched G1/G2 keys, a signature of another message, and zero keys', () => {
    const [a, b] = keys as [BlsKeyPair, BlsKeyPair];
    const good = makePubkeyRegistrationParams(a, message);
    expect(verifyProofOfPossession({ ...good, pubkeyG2: b.publicKeyG2 }, message)).toBe(false);
    expect(verifyProofOfPossession({ ...good, pubkeyG1: b.publicKeyG1 }, message)).toBe(false);
    expect(verifyProofOfPossession(good, hashToG1(other))).toBe(false);
    expect(verifyProofOfPossession({ ...good, pubkeyG1: G1.ZERO }, message)).toBe(false);
    // Rogue key: pk' = pk_b - pk_a has no known secret; it cannot produce a proof.
    const rogueG1 = b.publicKeyG1.subtract(a.publicKeyG1);
    const rogueG2 = b.publicKeyG2.subtract(a.publicKeyG2);
    expect(
      verifyProofOfPossession(
        { pubkeyRegistrationSignature: b.signPoint(message), pubkeyG1: rogueG1, pubkeyG2: rogueG2 },
        message,
      ),
    ).toBe(false);
  });
});
