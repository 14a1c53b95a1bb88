/**
 * noble and mcl-wasm must give byte-identical results: every shared vector
 * (keys, hash-to-G1, signatures, checks) and a seeded batch of further inputs
 * are run through one battery on each backend, and the two transcripts of
 * encoded outputs are compared whole. (The eigensdk key file is compared in
 * keystore.test.ts, which decrypts it anyway: standard scrypt takes seconds.)
 */
import { readFileSync } from 'node:fs';
import { bn254 } from '@noble/curves/bn254.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkClaimsBatch, findInvalidSignatures } from '../aggregation/verifier.js';
import { FR_MODULUS, G1, G2 } from '../curve.js';
import type { Digest } from '../digest.js';
import { g1FromJson, g1ToBytes, g2FromJson, g2FromSolidity, g2ToBytes } from '../encoding.js';
import { hashToG1 } from '../hash-to-g1.js';
import { BlsKeyPair } from '../keypair.js';
import { pairingProductIsOne } from '../pairing.js';
import {
  makePubkeyRegistrationParams,
  publicKeysMatch,
  verifyProofOfPossession,
} from '../proof-of-possession.js';
import { aggregatePublicKeysG1, aggregatePublicKeysG2, aggregateSignatures, verify } from '../signature.js';
import { trySignatureAndApkVerification } from '../signature-checker.js';
import { activeBackend, blsBackendName, initBls } from './select.js';
import type { BlsBackendName } from './types.js';

type Pair = [string, string];
type G2V = { X: Pair; Y: Pair };
const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/bls-bn254.json', import.meta.url), 'utf8'),
) as {
  g2Generator: G2V;
  negG2Generator: G2V;
  helloWorld: {
    sk: string;
    msgHash: `0x${string}`;
    sigma: Pair;
    pkG1: Pair;
    pkG2: G2V;
    pkG2TimesHundred: G2V;
  };
  keys: { sk: string }[];
  taskResponse: { digest: `0x${string}`; sk: string; sigma: Pair };
};

const hex = bytesToHex;
const g1 = (p: Pair) => g1FromJson({ X: p[0], Y: p[1] });

/** A deterministic scalar stream (keccak chain), so both backends see the same inputs. */
function scalars(seed: string): () => bigint {
  let state = keccak_256(utf8ToBytes(seed));
  return () => {
    state = keccak_256(state);
    return BigInt(`0x${hex(state)}`) % FR_MODULUS;
  };
}

/** A twist point outside the r-order subgroup, in Solidity order. */
function nonSubgroupTwistPoint(): { X: [bigint, bigint]; Y: [bigint, bigint] } {
  const Fp2 = bn254.fields.Fp2;
  for (let k = 1n; ; k++) {
    const x = Fp2.fromBigTuple([k, 0n]);
    try {
      const y = Fp2.sqrt(Fp2.add(Fp2.mul(Fp2.sqr(x), x), G2.CURVE().b));
      return { X: [x.c1, x.c0], Y: [y.c1, y.c0] };
    } catch {
      // not a square: next x
    }
  }
}

/** Everything the backend computes, encoded; the same for both or the test fails. */
function battery(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const hw = vectors.helloWorld;
  const t = vectors.taskResponse;
  const secretKeys = [hw.sk, t.sk, ...vectors.keys.map((k) => k.sk), 1n, FR_MODULUS - 1n];
  const next = scalars('backend equivalence');
  for (let i = 0; i < 4; i++) secretKeys.push(next());
  const digests: Digest[] = [
    hw.msgHash,
    t.digest,
    ...Array.from({ length: 3 }, (_, i) => keccak_256(utf8ToBytes(`d${i}`))),
  ];

  const pairs = secretKeys.map((sk) => BlsKeyPair.fromSecretKey(sk));
  for (const [i, kp] of pairs.entries()) {
    const row: Record<string, unknown> = {
      pkG1: hex(g1ToBytes(kp.publicKeyG1)),
      pkG2: hex(g2ToBytes(kp.publicKeyG2)),
      operatorId: kp.operatorId,
      keysMatch: publicKeysMatch(kp.publicKeyG1, kp.publicKeyG2),
    };
    for (const [j, d] of digests.entries()) {
      const sig = kp.sign(d);
      row[`h${j}`] = hex(g1ToBytes(hashToG1(d)));
      row[`sig${j}`] = hex(g1ToBytes(sig));
      row[`verify${j}`] = verify(d, sig, kp.publicKeyG2);
      row[`verifyOther${j}`] = verify(digests[(j + 1) % digests.length] as Digest, sig, kp.publicKeyG2);
      row[`checker${j}`] = trySignatureAndApkVerification(d, kp.publicKeyG1, kp.publicKeyG2, sig);
    }
    const message = hashToG1(digests[i % digests.length] as Digest);
    const pop = makePubkeyRegistrationParams(kp, message);
    row.pop = hex(g1ToBytes(pop.pubkeyRegistrationSignature));
    row.popOk = verifyProofOfPossession(pop, message);
    row.popWrongMessage = verifyProofOfPossession(pop, G1.BASE);
    out[`key${i}`] = row;
  }

  // Aggregates: the vector's 100 copies (6900 * G2), and all keys above signing one digest.
  const hwKey = BlsKeyPair.fromSecretKey(hw.sk);
  const hundred = aggregatePublicKeysG2(Array.from({ length: 100 }, () => g2FromJson(hw.pkG2)));
  out.hundred = hex(g2ToBytes(hundred));
  out.hundredVerifies = verify(
    hw.msgHash,
    aggregateSignatures(Array.from({ length: 100 }, () => g1(hw.sigma))),
    g2FromJson(hw.pkG2TimesHundred),
  );
  out.hwSigma = hex(g1ToBytes(hwKey.sign(hw.msgHash)));
  out.taskSigma = hex(g1ToBytes(BlsKeyPair.fromSecretKey(t.sk).sign(t.digest)));
  const sigs = pairs.map((kp) => kp.sign(t.digest));
  const apkG1 = aggregatePublicKeysG1(pairs.map((kp) => kp.publicKeyG1));
  const apkG2 = aggregatePublicKeysG2(pairs.map((kp) => kp.publicKeyG2));
  const sigma = aggregateSignatures(sigs);
  out.aggregate = [hex(g1ToBytes(apkG1)), hex(g2ToBytes(apkG2)), hex(g1ToBytes(sigma))];
  out.aggregateChecker = trySignatureAndApkVerification(t.digest, apkG1, apkG2, sigma);
  out.aggregateCheckerShort = trySignatureAndApkVerification(t.digest, apkG1.subtract(G1.BASE), apkG2, sigma);

  // The aggregation service's verifier: random linear combination and bisection.
  const h = hashToG1(t.digest);
  const coefficients = scalars('claims');
  const claims = pairs.map((kp, i) => ({ h, signature: sigs[i] as typeof sigma, apkG2: kp.publicKeyG2 }));
  out.claims = checkClaimsBatch(claims, coefficients);
  const forged = [...sigs];
  forged[3] = forged[3]!.add(G1.BASE);
  forged[7] = G1.BASE;
  out.claimsForged = checkClaimsBatch(
    claims.map((c, i) => ({ ...c, signature: forged[i] as typeof sigma })),
    coefficients,
  );
  out.bisection = findInvalidSignatures(
    h,
    pairs.map((kp, i) => ({ signature: forged[i] as typeof sigma, publicKeyG2: kp.publicKeyG2 })),
  );

  // Raw pairing products, including terms at infinity.
  out.pairingTrivial = pairingProductIsOne([[G1.ZERO, 'negG2']]);
  out.pairingGenerators = pairingProductIsOne([
    [G1.BASE, 'negG2'],
    [G1.BASE, G2.BASE],
  ]);
  out.pairingWrong = pairingProductIsOne([
    [G1.BASE, 'negG2'],
    [G1.BASE.double(), G2.BASE],
  ]);

  // Decoding: vector generators, and a twist point outside the subgroup (refused by both).
  out.g2Generators = [
    hex(g2ToBytes(g2FromJson(vectors.g2Generator))),
    hex(g2ToBytes(g2FromJson(vectors.negG2Generator))),
  ];
  try {
    g2FromSolidity(nonSubgroupTwistPoint());
    out.nonSubgroup = 'accepted';
  } catch (e) {
    out.nonSubgroup = (e as { code?: string }).code;
  }
  out.g2SubgroupFlag = activeBackend().g2IsValid(G2.BASE.multiply(5n));

  // Scalar edge cases of the raw multiplications.
  const b = activeBackend();
  out.edges = [0n, 1n, 2n, FR_MODULUS - 1n, next()].map((k) => [
    hex(g1ToBytes(b.g1Mul(G1.BASE, k))),
    hex(g2ToBytes(b.g2Mul(G2.BASE, k))),
  ]);
  return out;
}

const transcripts = new Map<BlsBackendName, Record<string, unknown>>();

describe('backend equivalence (noble vs mcl-wasm)', () => {
  beforeAll(async () => {
    for (const backend of ['noble', 'mcl-wasm'] as const) {
      await initBls({ backend });
      expect(blsBackendName()).toBe(backend);
      transcripts.set(backend, battery());
    }
  });
  afterAll(async () => {
    await initBls({ backend: 'noble' });
  });

  it('gives byte-identical transcripts', () => {
    expect(transcripts.get('mcl-wasm')).toEqual(transcripts.get('noble'));
  });

  it('the transcript says what the vectors and the scheme say (so equality is not vacuous)', () => {
    const n = transcripts.get('mcl-wasm') as Record<string, Record<string, unknown>>;
    const hw = vectors.helloWorld;
    expect(n.hwSigma).toBe(hex(g1ToBytes(g1(hw.sigma))));
    expect(n.taskSigma).toBe(hex(g1ToBytes(g1(vectors.taskResponse.sigma))));
    expect(n.key0?.pkG1).toBe(hex(g1ToBytes(g1(hw.pkG1))));
    expect(n.key0?.pkG2).toBe(hex(g2ToBytes(g2FromJson(hw.pkG2))));
    expect(n.hundred).toBe(hex(g2ToBytes(g2FromJson(hw.pkG2TimesHundred))));
    expect(n.hundredVerifies).toBe(true);
    for (let i = 0; i < 12; i++) {
      const row = n[`key${i}`] as Record<string, unknown>;
      expect(row.keysMatch).toBe(true);
      expect(row.verify0).toBe(true);
      expect(row.verifyOther0).toBe(false);
      expect(row.checker1).toEqual({ pairingSuccessful: true, signatureIsValid: true });
      expect(row.popOk).toBe(true);
      expect(row.popWrongMessage).toBe(false);
    }
    expect(n.aggregateChecker).toEqual({ pairingSuccessful: true, signatureIsValid: true });
    expect(n.aggregateCheckerShort).toEqual({ pairingSuccessful: true, signatureIsValid: false });
    expect(n.claims).toBe(true);
    expect(n.claimsForged).toBe(false);
    expect(n.bisection).toEqual([3, 7]);
    expect(n.pairingTrivial).toBe(true);
    expect(n.pairingGenerators).toBe(true);
    expect(n.pairingWrong).toBe(false);
    expect(n.nonSubgroup).toBe('INVALID_POINT');
    expect(n.g2SubgroupFlag).toBe(true);
  });
});
