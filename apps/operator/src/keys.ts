/**
 * Operator key files: the ECDSA key as an Ethereum keystore (JSON v3) and the
 * BLS key as an eigensdk BLS keystore, both password-encrypted, so operators
 * can use the files they already have.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlsKeyPair, decryptKeystore, encryptKeystore, LIGHT_SCRYPT, STANDARD_SCRYPT } from '@avs/bls';
import { encryptKeystoreJson, Wallet } from 'ethers';
import { read } from 'read';
import { KeyFileError } from './errors.js';

/** A decrypted operator identity. */
export interface OperatorKeys {
  readonly ecdsaPrivateKey: string;
  /** Lowercase 0x address: the operator's Raft node id. */
  readonly address: string;
  readonly bls: BlsKeyPair;
}

/** Where {@link writeKeyFiles} put the files. */
export interface KeyFilePaths {
  readonly ecdsaKeystore: string;
  readonly blsKeystore: string;
}

/** Encryption cost: `standard` for real keys; `light` only for throwaway devnet keys. */
export type KeyCost = 'standard' | 'light';

/** Writes both keystores into `dir` (mode 0600). */
export async function writeKeyFiles(
  dir: string,
  keys: { ecdsaPrivateKey: string; bls: BlsKeyPair },
  password: string,
  cost: KeyCost = 'standard',
): Promise<KeyFilePaths> {
  await mkdir(dir, { recursive: true });
  const wallet = new Wallet(keys.ecdsaPrivateKey);
  const ecdsaJson = await encryptKeystoreJson(
    { address: wallet.address, privateKey: wallet.privateKey },
    password,
    cost === 'light' ? { scrypt: { N: LIGHT_SCRYPT.n } } : {},
  );
  const blsJson = await encryptKeystore(keys.bls, password, {
    scrypt: cost === 'light' ? LIGHT_SCRYPT : STANDARD_SCRYPT,
  });
  const paths = {
    ecdsaKeystore: join(dir, 'ecdsa.keystore.json'),
    blsKeystore: join(dir, 'bls.keystore.json'),
  };
  await writeFile(paths.ecdsaKeystore, ecdsaJson, { mode: 0o600 });
  await writeFile(paths.blsKeystore, JSON.stringify(blsJson, null, 2), { mode: 0o600 });
  return paths;
}

/** Generates a fresh ECDSA and BLS key pair. */
export function generateKeys(): { ecdsaPrivateKey: string; bls: BlsKeyPair } {
  return { ecdsaPrivateKey: Wallet.createRandom().privateKey, bls: BlsKeyPair.generate() };
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new KeyFileError(`cannot read the ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Reads and decrypts both keystores: the files an eigensdk operator (e.g. incredible-squaring's
 * `tests/keys`) already has work unchanged, each with its own password if it has one.
 * @param blsPassword the BLS keystore's password when it differs (eigensdk operators keep two); default `password`
 * @throws {KeyFileError} when a file is missing, malformed, or the password is wrong
 */
export async function readKeyFiles(
  paths: KeyFilePaths,
  password: string,
  blsPassword: string = password,
): Promise<OperatorKeys> {
  const ecdsaText = await readText(paths.ecdsaKeystore, 'ECDSA keystore');
  const blsText = await readText(paths.blsKeystore, 'BLS keystore');
  let wallet: Wallet;
  try {
    const decrypted = await Wallet.fromEncryptedJson(ecdsaText, password);
    wallet = new Wallet(decrypted.privateKey);
  } catch (cause) {
    throw new KeyFileError(
      `cannot decrypt the ECDSA keystore ${paths.ecdsaKeystore} (wrong password or not a keystore): ${(cause as Error).message}`,
      { cause },
    );
  }
  let bls: BlsKeyPair;
  try {
    bls = await decryptKeystore(blsText, blsPassword);
  } catch (cause) {
    throw new KeyFileError(
      `cannot decrypt the BLS keystore ${paths.blsKeystore}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  return { ecdsaPrivateKey: wallet.privateKey, address: wallet.address.toLowerCase(), bls };
}

/** Where {@link keyPassword} reads from; the process's terminal by default (tests pass streams). */
export interface PasswordSource {
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * The keystore password: from the environment variable when set, else asked on the terminal
 * without echo. With `confirm` (creating a key) it is asked twice and must match.
 * @throws {KeyFileError} when neither is available, or the two entries differ
 */
export async function keyPassword(
  envName: string,
  options: PasswordSource & { confirm?: boolean } = {},
): Promise<string> {
  const fromEnv = (options.env ?? process.env)[envName];
  if (fromEnv !== undefined) return fromEnv;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (!input.isTTY) {
    throw new KeyFileError(`no password: set ${envName} or run on a terminal to be prompted`);
  }
  const ask = async (prompt: string) =>
    String(await read({ prompt, silent: true, replace: '', input, output, terminal: true }));
  const password = await ask(`keystore password (${envName} is not set): `);
  if (options.confirm) {
    if (password.length === 0) throw new KeyFileError('empty password: a keystore needs a password');
    const again = await ask('repeat the password: ');
    if (again !== password) throw new KeyFileError('the two passwords differ: nothing was written');
  }
  return password;
}
