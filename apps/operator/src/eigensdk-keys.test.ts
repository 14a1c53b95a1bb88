/**
 * Key interop (#18 item 7): the key files an eigensdk operator such as
 * incredible-squaring keeps (`tests/keys/test.ecdsa.key.json`,
 * `tests/keys/test.bls.key.json`) load unchanged. The files here are made in
 * that format independently of this project's writer: a go-ethereum keystore
 * v3 (`address` without 0x, `crypto`, `id`, `version: 3`, 4-space JSON), and
 * eigensdk's BLS file, `{ "pubKey": "E([x,y])", "crypto": <the same v3
 * encryption of the 32-byte secret> }` as eigensdk-go's `SaveToFile` writes
 * it, built with ethers' v3 encryptor. Each has its own password, as
 * incredible-squaring's operator reads OPERATOR_ECDSA_KEY_PASSWORD and
 * OPERATOR_BLS_KEY_PASSWORD. (Their own test keys are not copied here.)
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlsKeyPair } from '@avs/bls';
import { encryptKeystoreJson, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { KeyFileError, readKeyFiles } from './index.js';

/** go-ethereum's v3 `crypto` section for 32 secret bytes (ethers implements the same Web3 Secret Storage v3). */
async function v3Crypto(secretHex: string, password: string): Promise<Record<string, unknown>> {
  const wallet = new Wallet(secretHex);
  const json = JSON.parse(
    await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, password, {
      scrypt: { N: 4096 }, // the cost is read from the file; the standard 2^18 is only slower
    }),
  );
  const c = json.crypto ?? json.Crypto;
  return {
    cipher: c.cipher,
    ciphertext: c.ciphertext,
    cipherparams: { iv: c.cipherparams.iv },
    kdf: 'scrypt',
    kdfparams: { dklen: 32, n: c.kdfparams.n, p: c.kdfparams.p, r: c.kdfparams.r, salt: c.kdfparams.salt },
    mac: c.mac,
  };
}

describe('eigensdk key files (incredible-squaring tests/keys format)', () => {
  it('load unchanged, each with its own password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eigensdk-keys-'));
    const ecdsa = Wallet.createRandom();
    const bls = BlsKeyPair.generate();
    const ecdsaFile = {
      address: ecdsa.address.slice(2).toLowerCase(),
      crypto: await v3Crypto(ecdsa.privateKey, 'ecdsa-pw'),
      id: '0d37e378-3409-476a-bd29-31e99b3a2d04',
      version: 3,
    };
    const secret = `0x${bls.exportSecretKey().toString(16).padStart(64, '0')}`;
    const g1 = bls.publicKeyG1.toAffine();
    const blsFile = { pubKey: `E([${g1.x},${g1.y}])`, crypto: await v3Crypto(secret, 'bls-pw') };
    const paths = {
      ecdsaKeystore: join(dir, 'test.ecdsa.key.json'),
      blsKeystore: join(dir, 'test.bls.key.json'),
    };
    await writeFile(paths.ecdsaKeystore, JSON.stringify(ecdsaFile, null, 4));
    await writeFile(paths.blsKeystore, JSON.stringify(blsFile, null, 4));

    const keys = await readKeyFiles(paths, 'ecdsa-pw', 'bls-pw');
    expect(keys.address).toBe(ecdsa.address.toLowerCase());
    expect(keys.ecdsaPrivateKey).toBe(ecdsa.privateKey);
    expect(keys.bls.operatorId).toBe(bls.operatorId);
    // One password for both, as before, refuses the BLS file with its own error.
    await expect(readKeyFiles(paths, 'ecdsa-pw')).rejects.toBeInstanceOf(KeyFileError);
  });
});
