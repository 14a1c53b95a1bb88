import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlsKeyPair } from '@avs/bls';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { KeyFileError, readKeyFiles, writeKeyFiles } from './index.js';

describe('operator key files', () => {
  const ecdsaPrivateKey = Wallet.createRandom().privateKey;
  const bls = BlsKeyPair.fromSecretKey(12345n);

  it('round-trips both keystores with the password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-keys-'));
    const paths = await writeKeyFiles(dir, { ecdsaPrivateKey, bls }, 'pw', 'light');
    const keys = await readKeyFiles(paths, 'pw');
    expect(keys.ecdsaPrivateKey).toBe(ecdsaPrivateKey);
    expect(keys.address).toBe(new Wallet(ecdsaPrivateKey).address.toLowerCase());
    expect(keys.bls.operatorId).toBe(bls.operatorId);
    const ecdsaJson = JSON.parse(await readFile(paths.ecdsaKeystore, 'utf8'));
    expect(ecdsaJson.crypto ?? ecdsaJson.Crypto).toBeDefined();
    expect(await readFile(paths.ecdsaKeystore, 'utf8')).not.toContain(ecdsaPrivateKey.slice(2));
  });

  it('refuses a wrong password and a malformed file with a typed error naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-keys-'));
    const paths = await writeKeyFiles(dir, { ecdsaPrivateKey, bls }, 'pw', 'light');
    await expect(readKeyFiles(paths, 'wrong')).rejects.toBeInstanceOf(KeyFileError);
    await writeFile(paths.blsKeystore, '{"not":"a keystore"}');
    await expect(readKeyFiles(paths, 'pw')).rejects.toThrow(/BLS keystore .*bls\.keystore\.json/);
    await expect(readKeyFiles({ ...paths, ecdsaKeystore: join(dir, 'missing.json') }, 'pw')).rejects.toThrow(
      /cannot read the ECDSA keystore/,
    );
  });
});
