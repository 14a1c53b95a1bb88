import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JsonRpcProvider } from 'ethers';
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from '../src/index.js';
import { startLocalChain } from '../src/local-chain-entry.js';

const here = dirname(fileURLToPath(import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `pid` is gone; bounded (returns false after `attempts` * 100 ms). */
async function waitGone(pid: number, attempts = 50): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

describe('startLocalChain', () => {
  it('starts anvil on 127.0.0.1 with funded accounts matching the node, and stop() ends it', async () => {
    const chain = await startLocalChain({ accounts: 3, chainId: 4242 });
    const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
    try {
      expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(await provider.send('eth_chainId', []))).toBe(4242);
      const nodeAccounts: string[] = await provider.send('eth_accounts', []);
      expect(nodeAccounts.map((a) => a.toLowerCase())).toEqual(
        chain.accounts.map((a) => a.address.toLowerCase()),
      );
      expect(await provider.getBalance(chain.accounts[2]!.address)).toBe(10_000n * 10n ** 18n);
      expect(alive(chain.anvilPid)).toBe(true);
    } finally {
      provider.destroy();
      await chain.stop();
      await chain.stop(); // idempotent
    }
    expect(await waitGone(chain.anvilPid)).toBe(true);
  });

  it('rejects out-of-range options before spawning', async () => {
    await expect(startLocalChain({ port: 70000 })).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(startLocalChain({ accounts: 0 })).rejects.toBeInstanceOf(InvalidOptionsError);
  });

  it('leaves no anvil behind when the parent process is SIGKILLed', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@avs/source', '--import', 'tsx', join(here, 'fixtures', 'start-chain-child.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`fixture exited early with ${code}`)));
    });
    const { anvilPid } = JSON.parse(line) as { anvilPid: number };
    expect(alive(anvilPid)).toBe(true);
    child.kill('SIGKILL');
    expect(await waitGone(anvilPid)).toBe(true);
  });
});
