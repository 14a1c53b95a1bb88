/**
 * Every field of the shared vectors (test/vectors/bls-bn254.json) is checked
 * here; a last test walks the file and fails if any non-prose field was never read.
 */
import { readFileSync } from 'node:fs';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBls } from './backend/select.js';
import { FP_MODULUS, FR_MODULUS, G1, G2 } from './curve.js';
import { g1FromJson, g1ToJson, g2FromJson, g2ToJson } from './encoding.js';
import { hashToG1 } from './hash-to-g1.js';
import { BlsKeyPair } from './keypair.js';
import { operatorIdFromPublicKey, ZERO_PK_HASH } from './operator-id.js';
import { aggregatePublicKeysG1, aggregatePublicKeysG2, aggregateSignatures, verify } from './signature.js';
import { trySignatureAndApkVerification } from './signature-checker.js';

const raw: unknown = JSON.parse(
  readFileSync(new URL('../test/vectors/bls-bn254.json', import.meta.url), 'utf8'),
);

// Records every leaf path read through the proxy, so the last test can prove full coverage.
const read = new Set<string>();
function track(value: unknown, path: string): unknown {
  if (typeof value !== 'object' || value === null) {
    read.add(path);
    return value;
  }
  return new Proxy(value, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key === 'symbol' || (Array.isArray(target) && key === 'length')) return v;
      if (typeof v === 'function') return v;
      const child = `${path}.${key}`;
      if (typeof v !== 'object' || v === null) read.add(child);
      return track(v, child);
    },
  });
}
function leaves(value: unknown, path: string, out: string[]): string[] {
  if (typeof value !== 'object' || value === null) out.push(path);
  else for (const [k, v] of Object.entries(value)) leaves(v, `${path}.${k}`, out);
  return out;
}

type Pair = [string, string];
type G2V = { X: Pair; Y: Pair };
interface Vectors {
  about: string;
  field: { p: string; r: string };
  g2Generator: G2V;
  negG2Generator: G2V;
  zeroPkHash: string;
  helloWorld: {
    about: string;
    sk: string;
    msgHash: `0x${string}`;
    hashToG1: Pair;
    sigma: Pair;
    pkG1: Pair;
    pkG2: G2V;
    pkG2TimesHundred: G2V & { about: string };
  };
  keys: { sk: string; pkG1: Pair; pkG2?: G2V; operatorId?: string }[];
  taskResponse: {
    about: string;
    abiEncoded: string;
    digest: `0x${string}`;
    hashToG1: Pair;
    sk: string;
    sigma: Pair;
  };
}
const v = track(raw, '$') as Vectors;

const g1 = (p: Pair) => g1FromJson({ X: p[0], Y: p[1] });
const g1Pair = (p: ReturnType<typeof g1ToJson>): Pair => [p.X, p.Y];
const g2Plain = (p: G2V) => ({ X: [p.X[0], p.X[1]], Y: [p.Y[0], p.Y[1]] });

// Every vector is checked on each backend (see also backend/backend-equivalence.test.ts).
describe.each(['noble', 'mcl-wasm'] as const)('shared BN254 vectors on %s', (backend) => {
  beforeAll(async () => {
    expect(await initBls({ backend })).toBe(backend);
  });
  afterAll(async () => {
    await initBls({ backend: 'noble' });
  });

  it('describes the scheme', () => {
    expect(v.about).toMatch(/try-and-increment/);
    expect(v.helloWorld.about).toMatch(/hello world/);
    expect(v.helloWorld.pkG2TimesHundred.about).toMatch(/6900/);
    expect(v.taskResponse.about).toMatch(/abi\.encode/);
  });

  it('field moduli', () => {
    expect(BigInt(v.field.p)).toBe(FP_MODULUS);
    expect(BigInt(v.field.r)).toBe(FR_MODULUS);
  });

  it('G2 generator and its negation in Solidity order (imaginary first)', () => {
    expect(g2ToJson(G2.BASE)).toEqual(g2Plain(v.g2Generator));
    expect(g2ToJson(G2.BASE.negate())).toEqual(g2Plain(v.negG2Generator));
    expect(g2FromJson(v.g2Generator).equals(G2.BASE)).toBe(true);
    expect(g2FromJson(v.negG2Generator).equals(G2.BASE.negate())).toBe(true);
  });

  it('zero public key hash', () => {
    expect(operatorIdFromPublicKey(G1.ZERO)).toBe(v.zeroPkHash);
    expect(ZERO_PK_HASH).toBe(v.zeroPkHash);
  });

  describe('hello world (sk 69)', () => {
    const hw = v.helloWorld;
    const kp = BlsKeyPair.fromSecretKey(hw.sk);

    it('msgHash = keccak256("hello world")', () => {
      expect(`0x${bytesToHex(keccak_256(utf8ToBytes('hello world')))}`).toBe(hw.msgHash);
    });
    it('hashToG1', () => {
      expect(g1Pair(g1ToJson(hashToG1(hw.msgHash)))).toEqual(hw.hashToG1);
      expect(g1Pair(g1ToJson(hashToG1(hexToBytes(hw.msgHash.slice(2)))))).toEqual(hw.hashToG1);
    });
    it('keys and signature', () => {
      expect(g1Pair(g1ToJson(kp.publicKeyG1))).toEqual(hw.pkG1);
      expect(g2ToJson(kp.publicKeyG2)).toEqual(g2Plain(hw.pkG2));
      const sigma = kp.sign(hw.msgHash);
      expect(g1Pair(g1ToJson(sigma))).toEqual(hw.sigma);
      expect(verify(hw.msgHash, g1(hw.sigma), g2FromJson(hw.pkG2))).toBe(true);
      const r = trySignatureAndApkVerification(hw.msgHash, g1(hw.pkG1), g2FromJson(hw.pkG2), g1(hw.sigma));
      expect(r).toEqual({ pairingSuccessful: true, signatureIsValid: true });
    });
    it('100 copies of the key aggregate to 6900 * G2 and verify with 100 copies of sigma', () => {
      const hundredG2 = aggregatePublicKeysG2(Array.from({ length: 100 }, () => kp.publicKeyG2));
      expect(g2ToJson(hundredG2)).toEqual(g2Plain(hw.pkG2TimesHundred));
      expect(hundredG2.equals(G2.BASE.multiply(6900n))).toBe(true);
      const sigma100 = aggregateSignatures(Array.from({ length: 100 }, () => g1(hw.sigma)));
      const apk100 = aggregatePublicKeysG1(Array.from({ length: 100 }, () => kp.publicKeyG1));
      expect(verify(hw.msgHash, sigma100, g2FromJson(hw.pkG2TimesHundred))).toBe(true);
      expect(trySignatureAndApkVerification(hw.msgHash, apk100, hundredG2, sigma100).signatureIsValid).toBe(
        true,
      );
      // One copy short in G1 but not in G2: the apk consistency part of the check must fail.
      const apk99 = apk100.subtract(kp.publicKeyG1);
      expect(trySignatureAndApkVerification(hw.msgHash, apk99, hundredG2, sigma100).signatureIsValid).toBe(
        false,
      );
    });
  });

  describe('keys', () => {
    for (const [i, key] of v.keys.entries()) {
      it(`key ${i}: public keys${key.operatorId ? ', operator id' : ''}`, () => {
        const kp = BlsKeyPair.fromSecretKey(key.sk);
        expect(g1Pair(g1ToJson(kp.publicKeyG1))).toEqual(key.pkG1);
        if (key.pkG2) expect(g2ToJson(kp.publicKeyG2)).toEqual(g2Plain(key.pkG2));
        if (key.operatorId) {
          expect(kp.operatorId).toBe(key.operatorId);
          expect(operatorIdFromPublicKey(g1(key.pkG1))).toBe(key.operatorId);
        }
      });
    }
  });

  describe('task response', () => {
    const t = v.taskResponse;
    it('ABI encoding of (uint32 1, uint256 4) and its keccak digest', () => {
      const enc = new Uint8Array(64);
      enc[31] = 1;
      enc[63] = 4;
      expect(`0x${bytesToHex(enc)}`).toBe(t.abiEncoded);
      expect(`0x${bytesToHex(keccak_256(hexToBytes(t.abiEncoded.slice(2))))}`).toBe(t.digest);
    });
    it('hashToG1, signature by the last key, verification', () => {
      expect(g1Pair(g1ToJson(hashToG1(t.digest)))).toEqual(t.hashToG1);
      const kp = BlsKeyPair.fromSecretKey(t.sk);
      expect(kp.operatorId).toBe(v.keys[3]?.operatorId);
      expect(g1Pair(g1ToJson(kp.sign(t.digest)))).toEqual(t.sigma);
      expect(verify(t.digest, g1(t.sigma), kp.publicKeyG2)).toBe(true);
      expect(verify(v.helloWorld.msgHash, g1(t.sigma), kp.publicKeyG2)).toBe(false);
    });
  });
});

afterAll(() => {
  // Runs after all the tests above: every leaf of the file must have been read.
  const missing = leaves(raw, '$', []).filter((p) => !read.has(p));
  expect(missing).toEqual([]);
});
