/**
 * `avs-operator keys …`: create, import, show and check the operator's key files. Secrets never
 * travel on the command line (it is visible in `ps` and shell history): imports read files or
 * stdin, the password comes from the environment or a hidden prompt.
 */
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlsKeyPair, operatorIdFromPublicKey, readKeystorePublicKey } from '@avs/bls';
import { Command, Option } from 'commander';
import { Wallet } from 'ethers';
import { KeyFileError, UsageError } from '../errors.js';
import { generateKeys, keyPassword, readKeyFiles, writeKeyFiles } from '../keys.js';
import type { CliIo } from './cli-io.js';

const PASSWORD_ENV = 'AVS_KEY_PASSWORD';

const dirOption = () =>
  new Option('--dir <dir>', 'directory of ecdsa.keystore.json and bls.keystore.json')
    .env('AVS_KEYS_DIR')
    .makeOptionMandatory();
const lightOption = () =>
  new Option('--light', 'cheap encryption, for throwaway devnet keys only').env('AVS_KEYS_LIGHT');

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one secret from a file, or from stdin for `-`. */
async function readSecret(path: string, what: string, io: CliIo): Promise<string> {
  try {
    const text = path === '-' ? await readStream(io.stdin) : await readFile(path, 'utf8');
    const secret = text.trim();
    if (!secret) throw new KeyFileError(`the ${what} in ${path === '-' ? 'stdin' : path} is empty`);
    return secret;
  } catch (cause) {
    if (cause instanceof KeyFileError) throw cause;
    throw new KeyFileError(`cannot read the ${what} from ${path}: ${(cause as NodeJS.ErrnoException).code}`, {
      cause,
    });
  }
}

async function requireFile(path: string): Promise<void> {
  try {
    await access(path);
  } catch (cause) {
    throw new KeyFileError(`${path} not found: create the keys with \`avs-operator keys generate\``, {
      cause,
    });
  }
}

/** The `keys` command and its subcommands. */
export function keysCommand(io: CliIo): Command {
  const password = (confirm: boolean) => keyPassword(PASSWORD_ENV, { env: io.env, input: io.stdin, confirm });
  const keys = new Command('keys').description('create, import, show and check operator key files');

  keys
    .command('generate')
    .description('create a new ECDSA and BLS key pair, encrypted with a password (asked twice)')
    .addOption(dirOption())
    .addOption(lightOption())
    .addHelpText('after', '\nExample:\n  avs-operator keys generate --dir keys/')
    .action(async (o: { dir: string; light?: boolean }) => {
      const secret = await password(true);
      const paths = await writeKeyFiles(o.dir, generateKeys(), secret, o.light ? 'light' : 'standard');
      io.out(`wrote ${paths.ecdsaKeystore} and ${paths.blsKeystore}\n`);
    });

  keys
    .command('import')
    .description('encrypt existing keys read from files (or stdin: -) into keystores')
    .addOption(dirOption())
    .addOption(
      new Option('--ecdsa-file <path>', 'file holding the 0x ECDSA private key, or - for stdin')
        .env('AVS_ECDSA_KEY_FILE')
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--bls-file <path>', 'file holding the BLS secret key (decimal or 0x hex), or - for stdin')
        .env('AVS_BLS_KEY_FILE')
        .makeOptionMandatory(),
    )
    .addOption(lightOption())
    .addHelpText(
      'after',
      '\nExamples:\n  avs-operator keys import --dir keys/ --ecdsa-file ecdsa.key --bls-file bls.key\n' +
        '  pass show avs/ecdsa | avs-operator keys import --dir keys/ --ecdsa-file - --bls-file bls.key',
    )
    .action(async (o: { dir: string; ecdsaFile: string; blsFile: string; light?: boolean }) => {
      if (o.ecdsaFile === '-' && o.blsFile === '-')
        throw new UsageError('keys import: only one of --ecdsa-file and --bls-file can be - (stdin)');
      const ecdsa = await readSecret(o.ecdsaFile, 'ECDSA private key', io);
      const blsSecret = await readSecret(o.blsFile, 'BLS secret key', io);
      let material: { ecdsaPrivateKey: string; bls: BlsKeyPair };
      try {
        material = {
          ecdsaPrivateKey: new Wallet(ecdsa).privateKey,
          bls: BlsKeyPair.fromSecretKey(blsSecret),
        };
      } catch (cause) {
        // The message may quote the input: never print it.
        throw new KeyFileError('not a valid key: expected a 0x ECDSA private key and a BLS secret key', {
          cause,
        });
      }
      const paths = await writeKeyFiles(
        o.dir,
        material,
        await password(true),
        o.light ? 'light' : 'standard',
      );
      io.out(`wrote ${paths.ecdsaKeystore} and ${paths.blsKeystore}\n`);
    });

  keys
    .command('show')
    .description('print the address and operator id (no password needed)')
    .addOption(dirOption())
    .action(async (o: { dir: string }) => {
      const ecdsaPath = join(o.dir, 'ecdsa.keystore.json');
      const blsPath = join(o.dir, 'bls.keystore.json');
      await requireFile(ecdsaPath);
      await requireFile(blsPath);
      // Readable without the password: the address and the G1 key are stored in clear.
      let address: string;
      let operatorId: string;
      try {
        address = (JSON.parse(await readFile(ecdsaPath, 'utf8')) as { address?: string }).address ?? '';
        operatorId = operatorIdFromPublicKey(readKeystorePublicKey(await readFile(blsPath, 'utf8')));
      } catch (cause) {
        throw new KeyFileError(`${o.dir}: not keystore files (${(cause as Error).message})`, { cause });
      }
      io.out(`address     0x${address.replace(/^0x/, '')}\noperator id ${operatorId}\n`);
    });

  keys
    .command('check')
    .description('decrypt both keystores with the password and print the identity')
    .addOption(dirOption())
    .action(async (o: { dir: string }) => {
      const paths = {
        ecdsaKeystore: join(o.dir, 'ecdsa.keystore.json'),
        blsKeystore: join(o.dir, 'bls.keystore.json'),
      };
      // Look for the files before asking for a password.
      await requireFile(paths.ecdsaKeystore);
      await requireFile(paths.blsKeystore);
      const decrypted = await readKeyFiles(paths, await password(false));
      io.out(`ok: ${decrypted.address} ${decrypted.bls.operatorId}\n`);
    });
  return keys;
}
