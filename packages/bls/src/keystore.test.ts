import { readFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { initBls } from './backend/select.js';
import { g1ToBytes, g1ToSolidity, g2ToBytes } from './encoding.js';
import { KeystoreFormatError, KeystorePasswordError } from './errors.js';
import { BlsKeyPair } from './keypair.js';
import {
  decryptKeystore,
  decryptKeystoreSecret,
  encryptKeystore,
  readKeystorePublicKey,
} from './keystore.js';

const FAST = { scrypt: { n: 1024, r: 8, p: 1 } };
const kp = BlsKeyPair.fromSecretKey(
  '13710126902690889134622698668747132666439281256983827313388062967626731803599',
);

describe('keystore', () => {
  it('round-trips a key pair through the eigensdk JSON shape', async () => {
    const ks = await encryptKeystore(kp, 'correct horse', FAST);
    expect(Object.keys(ks)).toEqual(['pubKey', 'crypto']);
    expect(ks.crypto.cipher).toBe('aes-128-ctr');
    expect(ks.crypto.kdf).toBe('scrypt');
    expect(ks.crypto.ciphertext).toMatch(/^[0-9a-f]{64}$/);
    expect(ks.pubKey).toBe(`E([${g1ToSolidity(kp.publicKeyG1).X},${g1ToSolidity(kp.publicKeyG1).Y}])`);
    const back = await decryptKeystore(JSON.stringify(ks), 'correct horse');
    expect(back.exportSecretKey()).toBe(kp.exportSecretKey());
    expect(readKeystorePublicKey(ks).equals(kp.publicKeyG1)).toBe(true);
  });

  it('is deterministic given salt and IV, and uses fresh randomness otherwise', async () => {
    const salt = new Uint8Array(32).fill(7);
    const iv = new Uint8Array(16).fill(9);
    const a = await encryptKeystore(kp, '', { ...FAST, salt, iv });
    const b = await encryptKeystore(kp, '', { ...FAST, salt, iv });
    expect(a).toEqual(b);
    const c = await encryptKeystore(kp, '', FAST);
    expect(c.crypto.ciphertext).not.toBe(a.crypto.ciphertext);
  });

  it('a wrong password is a KeystorePasswordError', async () => {
    const ks = await encryptKeystore(kp, 'right', FAST);
    const e = await decryptKeystore(ks, 'wrong').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KeystorePasswordError);
    expect((e as KeystorePasswordError).code).toBe('KEYSTORE_WRONG_PASSWORD');
  });

  it('a tampered ciphertext fails the MAC', async () => {
    const ks = await encryptKeystore(kp, 'pw', FAST);
    const flipped = (ks.crypto.ciphertext[0] === '0' ? '1' : '0') + ks.crypto.ciphertext.slice(1);
    const bad = { ...ks, crypto: { ...ks.crypto, ciphertext: flipped } };
    await expect(decryptKeystore(bad, 'pw')).rejects.toBeInstanceOf(KeystorePasswordError);
  });

  it('malformed files are KeystoreFormatErrors that say what is wrong', async () => {
    const ks = await encryptKeystore(kp, 'pw', FAST);
    const cases: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{}, /crypto/],
      [{ ...ks, crypto: { ...ks.crypto, cipher: 'aes-256-gcm' } }, /cipher/],
      [{ ...ks, crypto: { ...ks.crypto, kdf: 'argon2' } }, /kdf/],
      [{ ...ks, crypto: { ...ks.crypto, mac: 'zz' } }, /mac/],
      [{ ...ks, crypto: { ...ks.crypto, cipherparams: { iv: 'abcd' } } }, /iv/],
      [{ ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, n: 2 ** 30 } } }, /n/],
      [{ ...ks, crypto: { ...ks.crypto, kdfparams: { ...ks.crypto.kdfparams, n: 1000 } } }, /power of two/],
      [{ ...ks, pubKey: 'E([1,2' }, /pubKey/],
    ];
    for (const [file, message] of cases) {
      const e = await decryptKeystore(file, 'pw').catch((x: unknown) => x);
      expect(e, JSON.stringify(file).slice(0, 60)).toBeInstanceOf(KeystoreFormatError);
      expect((e as Error).message).toMatch(message);
    }
  });

  it('a pubKey that does not match the secret is refused', async () => {
    const ks = await encryptKeystore(kp, 'pw', FAST);
    const other = await encryptKeystore(BlsKeyPair.fromSecretKey(5n), 'pw', FAST);
    await expect(decryptKeystore({ ...ks, pubKey: other.pubKey }, 'pw')).rejects.toThrow(/does not match/);
  });

  it('decodes a key file written by eigensdk-go with the standard scrypt cost', async () => {
    const file = readFileSync(
      new URL('../test/vectors/incredible-squaring.bls.key.json', import.meta.url),
      'utf8',
    );
    const pub = readKeystorePublicKey(file);
    const key = await decryptKeystore(file, '');
    expect(key.publicKeyG1.equals(pub)).toBe(true);
    expect(g1ToSolidity(pub).X).toBe(
      643552363890320897587044283125191574906281609959531590546948318138132520777n,
    );
    // Backend equivalence for this key (decrypted once here: standard scrypt takes seconds).
    const keysOn = async (backend: 'noble' | 'mcl-wasm') => {
      await initBls({ backend });
      const k = BlsKeyPair.fromSecretKey(key.exportSecretKey());
      return [bytesToHex(g1ToBytes(k.publicKeyG1)), bytesToHex(g2ToBytes(k.publicKeyG2))];
    };
    try {
      const [noble, mcl] = [await keysOn('noble'), await keysOn('mcl-wasm')];
      expect(mcl).toEqual(noble);
      expect(noble[0]).toBe(bytesToHex(g1ToBytes(pub)));
    } finally {
      await initBls({ backend: 'noble' });
    }
  });

  it("decrypts go-ethereum's v3 vectors (pbkdf2, and 31- and 30-byte secrets)", async () => {
    const vectors = JSON.parse(
      readFileSync(new URL('../test/vectors/go-ethereum-v3-keystore.json', import.meta.url), 'utf8'),
    ) as Record<string, { json: unknown; password: string; priv: string }>;
    expect(Object.keys(vectors)).toEqual(['wikipage_test_vector_pbkdf2', '31_byte_key', '30_byte_key']);
    for (const v of Object.values(vectors)) {
      expect(bytesToHex(await decryptKeystoreSecret(v.json, v.password))).toBe(v.priv);
      await expect(decryptKeystoreSecret(v.json, `${v.password}!`)).rejects.toBeInstanceOf(
        KeystorePasswordError,
      );
    }
    // The pbkdf2 vector holds a secp256k1 key above the BN254 order: not a BLS key.
    await expect(
      decryptKeystore(vectors.wikipage_test_vector_pbkdf2!.json, 'testpassword'),
    ).rejects.toBeInstanceOf(KeystoreFormatError);
    // A 31-byte secret is a valid scalar, read big-endian as eigensdk-go's fr.SetBytes does.
    const short = await decryptKeystore(vectors['31_byte_key']!.json, 'foo');
    expect(short.exportSecretKey()).toBe(BigInt(`0x${vectors['31_byte_key']!.priv}`));
  });
});
