import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BlsKeyPair } from '@avs/bls';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { KeyFileError, keyPassword, readKeyFiles, writeKeyFiles } from './index.js';

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

describe('keystore password prompt', () => {
  /** A fake terminal that types `answers` one at a time, each after its prompt appeared. */
  function terminal(answers: string[]) {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 80 });
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString();
      if (/: $/.test(shown) && answers.length > 0) {
        const next = answers.shift();
        shown = '';
        setImmediate(() => input.write(`${next}\n`));
      }
    });
    return { input, output, transcript: () => shown };
  }

  it('asks twice when creating a key and refuses two different entries', async () => {
    const same = terminal(['s3cret!', 's3cret!']);
    await expect(keyPassword('NO_SUCH_VAR', { env: {}, ...same, confirm: true })).resolves.toBe('s3cret!');
    const differ = terminal(['s3cret!', 'other']);
    await expect(keyPassword('NO_SUCH_VAR', { env: {}, ...differ, confirm: true })).rejects.toThrow(
      'the two passwords differ: nothing was written',
    );
  });

  it('does not echo what is typed', async () => {
    const t = terminal(['hunter2-secret']);
    let everything = '';
    t.output.on('data', (chunk: Buffer) => {
      everything += chunk.toString();
    });
    await expect(keyPassword('NO_SUCH_VAR', { env: {}, ...t })).resolves.toBe('hunter2-secret');
    expect(everything).toContain('keystore password');
    expect(everything).not.toContain('hunter2');
  });

  it('takes the variable when set, without a terminal', async () => {
    await expect(keyPassword('MY_PW', { env: { MY_PW: 'x' }, input: new PassThrough() })).resolves.toBe('x');
  });
});
