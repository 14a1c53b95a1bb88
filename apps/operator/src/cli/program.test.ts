import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlsKeyPair } from '@avs/bls';
import type { Command } from 'commander';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { readKeyFiles } from '../keys.js';
import { packageVersion } from './cli-io.js';
import { createProgram, runCli } from './program.js';
import { captureIo } from './test-io.js';

const COMMANDS = [
  [],
  ['start'],
  ['devnet'],
  ['status'],
  ['recover'],
  ['keys'],
  ['keys', 'generate'],
  ['keys', 'import'],
  ['keys', 'show'],
  ['keys', 'check'],
  ['config'],
  ['config', 'check'],
  ['config', 'schema'],
];

describe('avs-operator help and version', () => {
  it.each(COMMANDS)('%s -h and --help print usage and exit 0', async (...command) => {
    for (const flag of ['-h', '--help']) {
      const c = captureIo();
      expect(await runCli([...command, flag], c.io)).toBe(0);
      expect(c.stdout()).toMatch(new RegExp(`^Usage: avs-operator${command.map((w) => ` ${w}`).join('')} `));
      expect(c.stderr()).toBe('');
    }
  });

  it('every option of every command has an environment variable, shown in its help', async () => {
    const visit = async (command: Command, path: string[]): Promise<number> => {
      let n = 0;
      for (const option of command.options) {
        if (option.long === '--help' || option.long === '--version') continue;
        expect(option.envVar, `${path.join(' ')} ${option.long}`).toMatch(/^AVS_[A-Z_]+$/);
        const c = captureIo();
        await runCli([...path, '--help'], c.io);
        expect(c.stdout().replace(/\s+/g, ' ')).toContain(`env: ${option.envVar}`);
        n++;
      }
      for (const sub of command.commands) n += await visit(sub, [...path, sub.name()]);
      return n;
    };
    expect(await visit(createProgram(captureIo().io), [])).toBeGreaterThan(15);
  });

  it('the help of every command that runs something has examples', async () => {
    for (const command of COMMANDS.filter(
      (c) => c.length > 0 && !['keys', 'config', 'keys show', 'keys check'].includes(c.join(' ')),
    )) {
      const c = captureIo();
      await runCli([...command, '--help'], c.io);
      expect(c.stdout(), command.join(' ')).toMatch(/Examples?:\n {2}avs-operator /);
    }
  });

  it('--version and -V print the package version', async () => {
    const version = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ).version;
    expect(packageVersion()).toBe(version);
    for (const flag of ['--version', '-V']) {
      const c = captureIo();
      expect(await runCli([flag], c.io)).toBe(0);
      expect(c.stdout()).toBe(`${version}\n`);
    }
  });

  it('no command prints usage to stderr and exits 2; unknown commands and options exit 2 in one line', async () => {
    const none = captureIo();
    expect(await runCli([], none.io)).toBe(2);
    expect(none.stderr()).toContain('Usage: avs-operator');
    for (const argv of [
      ['bogus'],
      ['start', '--bogus'],
      ['devnet', '--operators', 'x'],
      ['devnet', '--storage', 'sqlite'],
    ]) {
      const c = captureIo();
      expect(await runCli(argv, c.io)).toBe(2);
      expect(c.stderr().trim().split('\n')[0]).toMatch(/^error: /);
    }
    const bad = captureIo();
    await runCli(['devnet', '--storage', 'sqlite'], bad.io);
    expect(bad.stderr()).toBe(
      "error: option '--storage <kind>' argument 'sqlite' is invalid. Allowed choices are file, level.\n",
    );
  });
});

describe('avs-operator keys', () => {
  it('check and show look for the files before asking for a password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-cli-'));
    for (const action of ['check', 'show']) {
      // No password in env and no terminal: a password prompt would fail with another message.
      const c = captureIo();
      expect(await runCli(['keys', action, '--dir', dir], c.io)).toBe(2);
      expect(c.stderr()).toBe(
        `error: ${join(dir, 'ecdsa.keystore.json')} not found: create the keys with \`avs-operator keys generate\`\n`,
      );
    }
  });

  it('import reads the secrets from files and stdin, never from the command line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-cli-'));
    const ecdsa = Wallet.createRandom().privateKey;
    const bls = BlsKeyPair.fromSecretKey(4242n);
    await writeFile(join(dir, 'ecdsa.key'), `${ecdsa}\n`, { mode: 0o600 });
    const c = captureIo({ AVS_KEY_PASSWORD: 'pw' }, '4242\n');
    const code = await runCli(
      [
        'keys',
        'import',
        '--dir',
        join(dir, 'keys'),
        '--ecdsa-file',
        join(dir, 'ecdsa.key'),
        '--bls-file',
        '-',
        '--light',
      ],
      c.io,
    );
    expect(c.stderr()).toBe('');
    expect(code).toBe(0);
    const keys = await readKeyFiles(
      {
        ecdsaKeystore: join(dir, 'keys', 'ecdsa.keystore.json'),
        blsKeystore: join(dir, 'keys', 'bls.keystore.json'),
      },
      'pw',
    );
    expect(keys.ecdsaPrivateKey).toBe(ecdsa);
    expect(keys.bls.operatorId).toBe(bls.operatorId);

    const check = captureIo({ AVS_KEY_PASSWORD: 'pw' });
    expect(await runCli(['keys', 'check', '--dir', join(dir, 'keys')], check.io)).toBe(0);
    expect(check.stdout()).toBe(`ok: ${keys.address} ${bls.operatorId}\n`);
    const wrong = captureIo({ AVS_KEY_PASSWORD: 'nope' });
    expect(await runCli(['keys', 'check', '--dir', join(dir, 'keys')], wrong.io)).toBe(2);
    expect(wrong.stderr()).toMatch(/^error: cannot decrypt the ECDSA keystore .*\n$/);
  });

  it('import refuses the old --ecdsa/--bls flags, a bad key without echoing it, and two stdin secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-cli-'));
    const old = captureIo({ AVS_KEY_PASSWORD: 'pw' });
    expect(
      await runCli(
        ['keys', 'import', '--dir', dir, '--ecdsa-file', 'a', '--bls-file', 'b', '--ecdsa', '0x01'],
        old.io,
      ),
    ).toBe(2);
    expect(old.stderr()).toMatch(/unknown option '--ecdsa'/);

    await writeFile(join(dir, 'bad.key'), '0xnot-a-secret-value');
    await writeFile(join(dir, 'bls.key'), '7');
    const bad = captureIo({ AVS_KEY_PASSWORD: 'pw' });
    expect(
      await runCli(
        [
          'keys',
          'import',
          '--dir',
          dir,
          '--ecdsa-file',
          join(dir, 'bad.key'),
          '--bls-file',
          join(dir, 'bls.key'),
        ],
        bad.io,
      ),
    ).toBe(2);
    expect(bad.stderr()).toBe(
      'error: not a valid key: expected a 0x ECDSA private key and a BLS secret key\n',
    );
    expect(bad.stderr()).not.toContain('not-a-secret-value');

    const both = captureIo({ AVS_KEY_PASSWORD: 'pw' });
    expect(
      await runCli(['keys', 'import', '--dir', dir, '--ecdsa-file', '-', '--bls-file', '-'], both.io),
    ).toBe(2);
    expect(both.stderr()).toBe(
      'error: keys import: only one of --ecdsa-file and --bls-file can be - (stdin)\n',
    );
  });

  it('generate without a password variable and without a terminal says how to give one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-cli-'));
    const c = captureIo({});
    expect(await runCli(['keys', 'generate', '--dir', dir], c.io)).toBe(2);
    expect(c.stderr()).toBe('error: no password: set AVS_KEY_PASSWORD or run on a terminal to be prompted\n');
  });
});
