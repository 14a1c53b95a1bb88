/**
 * eigensdk BLS key files: go-ethereum "Web3 Secret Storage" v3 encryption of the
 * 32-byte big-endian secret scalar (scrypt or pbkdf2 KDF, aes-128-ctr, keccak256
 * MAC), wrapped as `{ "pubKey": "E([x,y])", "crypto": { ... } }` exactly as
 * eigensdk-go's `KeyPair.SaveToFile` writes it, so an operator's existing key
 * file works here and files written here work with eigensdk.
 * Runtime-neutral: @noble/hashes for scrypt and the keccak MAC, WebCrypto for
 * AES-CTR and PBKDF2.
 * @module
 */

import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { G1Point } from './curve.js';
import { g1FromSolidity } from './encoding.js';
import { BlsError, KeystoreFormatError, KeystorePasswordError } from './errors.js';
import { BlsKeyPair } from './keypair.js';

/** go-ethereum's standard scrypt cost (what eigensdk-go writes): N = 2^18, p = 1, r = 8. */
export const STANDARD_SCRYPT = { n: 262144, r: 8, p: 1 } as const;
/** go-ethereum's "light" scrypt cost: N = 2^12, p = 6, r = 8. */
export const LIGHT_SCRYPT = { n: 4096, r: 8, p: 6 } as const;

/** The keystore JSON object. */
export interface BlsKeystore {
  /** The G1 public key as eigensdk prints it: `E([x,y])` in decimal. Readable without the password. */
  pubKey: string;
  crypto: {
    cipher: 'aes-128-ctr';
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: ScryptParams | Pbkdf2Params;
    mac: string;
  };
}

/** scrypt parameters as stored (hex salt). */
export interface ScryptParams {
  dklen: number;
  n: number;
  p: number;
  r: number;
  salt: string;
}

/** pbkdf2 parameters as stored (go-ethereum supports them on read). */
export interface Pbkdf2Params {
  c: number;
  dklen: number;
  prf: 'hmac-sha256';
  salt: string;
}

/** Options for {@link encryptKeystore}. Defaults are go-ethereum's standard scrypt cost. */
export interface EncryptKeystoreOptions {
  /** scrypt cost; default {@link STANDARD_SCRYPT}. Use small values only in tests. */
  scrypt?: { n: number; r: number; p: number };
  /** Fixed salt (32 bytes) and IV (16 bytes), for reproducible test files only. */
  salt?: Uint8Array;
  iv?: Uint8Array;
}

const hex = (min?: number, max = min) =>
  z
    .string()
    .regex(/^(0x)?([0-9a-fA-F]{2})*$/, 'expected hex')
    .transform((s) => hexToBytes(s.startsWith('0x') ? s.slice(2) : s))
    .refine(
      (b) => min === undefined || (b.length >= min && b.length <= (max ?? min)),
      min === max ? `expected ${min} bytes` : `expected ${min} to ${max} bytes`,
    );

// Bounds keep a hostile file from making us allocate gigabytes or spin for hours.
const scryptParams = z.object({
  dklen: z.number().int().min(32).max(64),
  n: z
    .number()
    .int()
    .min(2)
    .max(2 ** 20)
    .refine((n) => (n & (n - 1)) === 0, 'n must be a power of two'),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: hex(),
});
const pbkdf2Params = z.object({
  c: z.number().int().min(1).max(10_000_000),
  dklen: z.number().int().min(32).max(64),
  prf: z.literal('hmac-sha256'),
  salt: hex(),
});
const cryptoSchema = z.discriminatedUnion('kdf', [
  z.object({
    cipher: z.literal('aes-128-ctr'),
    ciphertext: hex(1, 32),
    cipherparams: z.object({ iv: hex(16) }),
    kdf: z.literal('scrypt'),
    kdfparams: scryptParams,
    mac: hex(32),
  }),
  z.object({
    cipher: z.literal('aes-128-ctr'),
    ciphertext: hex(1, 32),
    cipherparams: z.object({ iv: hex(16) }),
    kdf: z.literal('pbkdf2'),
    kdfparams: pbkdf2Params,
    mac: hex(32),
  }),
]);
const keystoreSchema = z.object({ pubKey: z.string().optional(), crypto: cryptoSchema });

const PUBKEY = /^E\(\[([0-9]{1,78}),([0-9]{1,78})\]\)$/;

/** eigensdk's `G1Point.String()` form: `E([x,y])`. */
export function formatPubKey(point: G1Point): string {
  const a = point.toAffine();
  return `E([${a.x},${a.y}])`;
}

/**
 * Reads the public key of a key file without the password.
 * @throws KeystoreFormatError if the file or its `pubKey` is malformed; InvalidPointError if the point is invalid.
 */
export function readKeystorePublicKey(file: string | unknown): G1Point {
  const ks = parse(file);
  if (ks.pubKey === undefined) throw new KeystoreFormatError('keystore: no "pubKey" field');
  return parsePubKey(ks.pubKey);
}

function parsePubKey(s: string): G1Point {
  const m = PUBKEY.exec(s.trim());
  if (!m)
    throw new KeystoreFormatError(
      `keystore: "pubKey" must look like E([x,y]), got ${JSON.stringify(s.slice(0, 80))}`,
    );
  return g1FromSolidity({ X: m[1] as string, Y: m[2] as string });
}

function parse(file: string | unknown) {
  let value: unknown = file;
  if (typeof file === 'string') {
    try {
      value = JSON.parse(file);
    } catch (cause) {
      throw new KeystoreFormatError('keystore: not valid JSON', { cause });
    }
  }
  const r = keystoreSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new KeystoreFormatError(`keystore: ${where}: ${issue?.message ?? 'invalid'}`, { cause: r.error });
  }
  return r.data;
}

function subtle(): typeof globalThis.crypto.subtle {
  const api = globalThis.crypto?.subtle;
  if (!api)
    throw new BlsError('NO_WEBCRYPTO', 'keystore: this runtime has no WebCrypto (globalThis.crypto.subtle)');
  return api;
}

/** PBKDF2-HMAC-SHA256 through WebCrypto (native; about 8x faster than a JS implementation). */
async function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, dkLen: number) {
  const key = await subtle().importKey('raw', password as Uint8Array<ArrayBuffer>, 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await subtle().deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as Uint8Array<ArrayBuffer>, iterations },
    key,
    dkLen * 8,
  );
  return new Uint8Array(bits);
}

async function aes128ctr(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'AES-CTR' }, false, [
    'encrypt',
  ]);
  // Go's cipher.NewCTR increments the whole 16-byte block big-endian: a 128-bit counter.
  const out = await subtle().encrypt(
    { name: 'AES-CTR', counter: iv as Uint8Array<ArrayBuffer>, length: 128 },
    k,
    data as Uint8Array<ArrayBuffer>,
  );
  return new Uint8Array(out);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/**
 * Decrypts the secret of a go-ethereum v3 / eigensdk key file: the raw plaintext
 * bytes (for a BLS key, the big-endian secret scalar; older writers may have
 * dropped leading zero bytes).
 * @throws KeystoreFormatError for a malformed file; KeystorePasswordError if the MAC does not match.
 */
export async function decryptKeystoreSecret(file: string | unknown, password: string): Promise<Uint8Array> {
  return decryptParsed(parse(file), password);
}

async function decryptParsed(ks: ReturnType<typeof parse>, password: string): Promise<Uint8Array> {
  const c = ks.crypto;
  const pw = utf8ToBytes(password);
  const derived =
    c.kdf === 'scrypt'
      ? await scryptAsync(pw, c.kdfparams.salt, {
          N: c.kdfparams.n,
          r: c.kdfparams.r,
          p: c.kdfparams.p,
          dkLen: c.kdfparams.dklen,
        })
      : await pbkdf2Sha256(pw, c.kdfparams.salt, c.kdfparams.c, c.kdfparams.dklen);
  const mac = keccak_256(concatBytes(derived.subarray(16, 32), c.ciphertext));
  if (!sameBytes(mac, c.mac)) throw new KeystorePasswordError();
  return aes128ctr(derived.subarray(0, 16), c.cipherparams.iv, c.ciphertext);
}

/**
 * Decrypts an eigensdk BLS key file.
 * @param file - the file's text, or its parsed JSON.
 * @param password - the password (UTF-8, as eigensdk-go uses it; eigensdk's default is "").
 * @returns the key pair. If the file has a `pubKey`, it is checked against the decrypted key.
 * @throws KeystoreFormatError for a malformed file or a secret that is not a scalar in [1, r-1];
 *   KeystorePasswordError if the MAC does not match.
 */
export async function decryptKeystore(file: string | unknown, password: string): Promise<BlsKeyPair> {
  const ks = parse(file);
  const plain = await decryptParsed(ks, password);
  let keyPair: BlsKeyPair;
  try {
    keyPair = BlsKeyPair.fromSecretKey(bytesToNumberBE(plain));
  } catch (cause) {
    throw new KeystoreFormatError('keystore: the decrypted secret is not a BN254 scalar in [1, r-1]', {
      cause,
    });
  }
  if (ks.pubKey !== undefined && !parsePubKey(ks.pubKey).equals(keyPair.publicKeyG1)) {
    throw new KeystoreFormatError('keystore: "pubKey" does not match the decrypted secret key');
  }
  return keyPair;
}

/**
 * Encrypts a key pair as an eigensdk BLS key file (scrypt, aes-128-ctr).
 * @returns the JSON object; `JSON.stringify` it to write the file.
 */
export async function encryptKeystore(
  keyPair: BlsKeyPair,
  password: string,
  options: EncryptKeystoreOptions = {},
): Promise<BlsKeystore> {
  const { n, r, p } = options.scrypt ?? STANDARD_SCRYPT;
  const salt = options.salt ?? randomBytes(32);
  const iv = options.iv ?? randomBytes(16);
  const derived = await scryptAsync(utf8ToBytes(password), salt, { N: n, r, p, dkLen: 32 });
  const ciphertext = await aes128ctr(
    derived.subarray(0, 16),
    iv,
    numberToBytesBE(keyPair.exportSecretKey(), 32),
  );
  const mac = keccak_256(concatBytes(derived.subarray(16, 32), ciphertext));
  return {
    pubKey: formatPubKey(keyPair.publicKeyG1),
    crypto: {
      cipher: 'aes-128-ctr',
      ciphertext: bytesToHex(ciphertext),
      cipherparams: { iv: bytesToHex(iv) },
      kdf: 'scrypt',
      kdfparams: { dklen: 32, n, p, r, salt: bytesToHex(salt) },
      mac: bytesToHex(mac),
    },
  };
}
