/**
 * A transaction stuck in the pool is replaced with higher fees (issue #19 item 3): anvil with
 * automine off holds the first version; once the sender has replaced it, one block is mined and
 * exactly one version lands, the replacement, with the higher fee.
 */
import { type LocalChain, startLocalChain } from '@avs/contracts/local-chain';
import { type JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProvider, TransactionSender } from '../src/index.js';

let chain: LocalChain;
let provider: JsonRpcProvider;

beforeAll(async () => {
  chain = await startLocalChain({ accounts: 2 });
  provider = createProvider(chain.rpcUrl, { chainId: chain.chainId });
}, 60_000);

afterAll(async () => {
  provider?.destroy();
  await chain?.stop();
});

describe('TransactionSender fee bumping', () => {
  it('replaces a stuck transaction with higher fees; the replacement is the one mined, once', async () => {
    const wallet = new Wallet(chain.accounts[0]!.privateKey, provider);
    const to = chain.accounts[1]!.address;
    let replaced!: (hashes: readonly string[]) => void;
    const replacedOnce = new Promise<readonly string[]>((resolve) => {
      replaced = resolve;
    });
    const sender = new TransactionSender({
      signer: wallet,
      bumpAfterMs: 200,
      maxBumps: 1,
      receiptPollMs: 20,
      onReplaced: ({ hashes }) => replaced(hashes),
    });
    const nonceBefore = await provider.getTransactionCount(wallet.address, 'latest');
    await provider.send('evm_setAutomine', [false]);
    try {
      const sending = sender.send({ to, data: '0x' }, 'transfer');
      const hashes = await replacedOnce;
      expect(hashes).toHaveLength(2);
      // The replacement took the original's place in the pool: same nonce, higher fee than the
      // node's fee data the original was signed with.
      const [first, second] = await Promise.all(hashes.map((h) => provider.getTransaction(h)));
      expect(first).toBeNull();
      expect(second?.nonce).toBe(nonceBefore);
      const fees = await provider.getFeeData();
      expect(second!.maxFeePerGas! > fees.maxFeePerGas!).toBe(true);
      await provider.send('evm_mine', []);
      const receipt = await sending;
      expect(receipt.hash).toBe(hashes[1]);
      expect(receipt.status).toBe(1);
      expect(await provider.getTransactionReceipt(hashes[0]!)).toBeNull();
      expect(await provider.getTransactionCount(wallet.address, 'latest')).toBe(nonceBefore + 1);
    } finally {
      await provider.send('evm_setAutomine', [true]);
    }
  }, 60_000);

  it('without bumpAfterMs nothing is replaced: the one version is mined when a block comes', async () => {
    const wallet = new Wallet(chain.accounts[0]!.privateKey, provider);
    const replacements: unknown[] = [];
    const sender = new TransactionSender({
      signer: wallet,
      receiptPollMs: 20,
      onReplaced: (r) => replacements.push(r),
    });
    await provider.send('evm_setAutomine', [false]);
    try {
      const sending = sender.send({ to: chain.accounts[1]!.address, data: '0x' }, 'transfer');
      // Wait until the transaction is in the pool, then mine it.
      for (;;) {
        const pool = (await provider.send('txpool_content', [])) as { pending: Record<string, unknown> };
        if (Object.keys(pool.pending).length > 0) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await provider.send('evm_mine', []);
      expect((await sending).status).toBe(1);
      expect(replacements).toEqual([]);
    } finally {
      await provider.send('evm_setAutomine', [true]);
    }
  }, 60_000);

  it('refuses a bump below the 10 % nodes require', () => {
    const wallet = new Wallet(chain.accounts[0]!.privateKey, provider);
    expect(() => new TransactionSender({ signer: wallet, bumpPercent: 5 })).toThrow(/at least 10/);
  });
});
