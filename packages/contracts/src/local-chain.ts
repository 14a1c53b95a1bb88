import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { HDNodeWallet } from 'ethers';
import { anvilBinaryPath } from './anvil-binary.js';
import { AnvilStartError, InvalidOptionsError } from './errors.js';

/** anvil's default mnemonic: the well-known public test mnemonic (never use it with real funds). */
export const LOCAL_CHAIN_MNEMONIC = 'test test test test test test test test test test test junk';

export interface LocalChainOptions {
  /** TCP port on 127.0.0.1; default 0 (a free port chosen by the OS). */
  port?: number;
  /** Number of funded accounts; default 10. */
  accounts?: number;
  /** Seconds between blocks; default undefined (a block per transaction, "automine"). */
  blockTime?: number;
  /** Chain id; default 31337. */
  chainId?: number;
  /** Pinned hardfork; default 'prague'. */
  hardfork?: string;
  /** Balance of each account in ether; default 10000. */
  balanceEther?: number;
  /** How long to wait for anvil to listen, in ms; default 15000. */
  startTimeoutMs?: number;
  /** A state dump to start from (`anvil --load-state`), e.g. a chain with contracts already deployed. */
  loadStatePath?: string;
}

/** A funded account of the local chain. */
export interface LocalAccount {
  address: string;
  privateKey: string;
}

/** A running anvil. */
export interface LocalChain {
  rpcUrl: string;
  port: number;
  chainId: number;
  accounts: LocalAccount[];
  /** Process id of anvil itself (the watchdog shell is its parent). */
  anvilPid: number;
  /** Stops anvil and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

// The watchdog: a POSIX shell runs anvil in the background and blocks reading its stdin, a pipe
// from us. When we exit for any reason (even SIGKILL) the pipe closes, `read` sees EOF and the
// shell kills anvil. stop() closes the pipe the same way.
const WATCHDOG = [
  'bin="$1"; shift',
  '"$bin" "$@" </dev/null & child=$!',
  'echo "anvil-pid $child"',
  'trap \'kill "$child" 2>/dev/null; exit 0\' TERM INT HUP',
  'while read -r _; do :; done',
  'kill "$child" 2>/dev/null',
  'wait "$child"',
].join('\n');

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionsError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  }
}

/**
 * Starts anvil on 127.0.0.1 with a pinned hardfork and funded accounts (from
 * {@link LOCAL_CHAIN_MNEMONIC}). anvil dies with the calling process, even on SIGKILL (POSIX).
 * @returns The RPC URL, accounts and a `stop()` to call when done.
 * @throws InvalidOptionsError, AnvilNotFoundError, AnvilStartError.
 */
export async function startLocalChain(options: LocalChainOptions = {}): Promise<LocalChain> {
  const port = options.port ?? 0;
  const accountCount = options.accounts ?? 10;
  const chainId = options.chainId ?? 31337;
  checkInt('port', port, 0, 65535);
  checkInt('accounts', accountCount, 1, 1000);
  checkInt('chainId', chainId, 1, 2 ** 32);
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--accounts',
    String(accountCount),
    '--balance',
    String(options.balanceEther ?? 10000),
    '--mnemonic',
    LOCAL_CHAIN_MNEMONIC,
    '--chain-id',
    String(chainId),
    '--hardfork',
    options.hardfork ?? 'prague',
  ];
  if (options.loadStatePath !== undefined) args.push('--load-state', options.loadStatePath);
  if (options.blockTime !== undefined) {
    if (!(options.blockTime > 0)) throw new InvalidOptionsError(`blockTime must be > 0 seconds`);
    args.push('--block-time', String(options.blockTime));
  }
  const binary = anvilBinaryPath();
  const child: ChildProcessWithoutNullStreams =
    process.platform === 'win32'
      ? spawn(binary, args, { stdio: 'pipe' })
      : spawn('/bin/sh', ['-c', WATCHDOG, 'avs-anvil-watchdog', binary, ...args], { stdio: 'pipe' });
  let output = '';
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  // Keep draining both streams (anvil logs every request); keep only a short tail for errors.
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8192);
  };
  child.stderr.on('data', append);

  const { boundPort, anvilPid } = await new Promise<{ boundPort: number; anvilPid: number }>(
    (resolve, reject) => {
      let pid = process.platform === 'win32' ? (child.pid ?? 0) : 0;
      let settled = false;
      const finish = (error?: Error, value?: { boundPort: number; anvilPid: number }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else if (value) resolve(value);
      };
      const timeoutMs = options.startTimeoutMs ?? 15_000;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(new AnvilStartError(`anvil did not start listening within ${timeoutMs} ms`, output));
      }, timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        append(chunk);
        if (settled) return;
        const pidMatch = /anvil-pid (\d+)/.exec(output);
        if (pidMatch) pid = Number(pidMatch[1]);
        const listen = /Listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (listen && pid > 0) finish(undefined, { boundPort: Number(listen[1]), anvilPid: pid });
      });
      child.once('error', (error) =>
        finish(new AnvilStartError(`cannot spawn anvil: ${error.message}`, output)),
      );
      child.once('exit', (code, signal) =>
        finish(new AnvilStartError(`anvil exited before listening (code ${code}, signal ${signal})`, output)),
      );
    },
  );

  const root = HDNodeWallet.fromPhrase(LOCAL_CHAIN_MNEMONIC, undefined, "m/44'/60'/0'/0");
  const accounts: LocalAccount[] = [];
  for (let i = 0; i < accountCount; i++) {
    const wallet = root.deriveChild(i);
    accounts.push({ address: wallet.address, privateKey: wallet.privateKey });
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exited) return;
      child.stdin.end();
      const timer = setTimeout(() => {
        // The watchdog did not react: kill both directly.
        try {
          process.kill(anvilPid, 'SIGKILL');
        } catch {}
        child.kill('SIGKILL');
      }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    })();
    return stopping;
  };

  return { rpcUrl: `http://127.0.0.1:${boundPort}`, port: boundPort, chainId, accounts, anvilPid, stop };
}
