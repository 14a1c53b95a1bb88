/**
 * The operator's startup checks against a real anvil chain with the AVS
 * contracts: each misconfiguration fails with its one-line message, and
 * through the CLI with exit code 2 before anything is served.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlsKeyPair } from '@avs/bls';
import { createProvider, OperatorRegistryClient } from '@avs/chain';
import { type LocalAvs, startLocalAvs } from '@avs/contracts/local-chain';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { captureIo } from '../src/cli/test-io.js';
import { StartupCheckError, writeKeyFiles } from '../src/index.js';
import { runStartupChecks, type StartupCheckConfig } from '../src/startup-checks.js';

let chain: LocalAvs;
let config: StartupCheckConfig;
const staked = { account: 1, bls: BlsKeyPair.fromSecretKey(1001n) };
const unstaked = { account: 2, bls: BlsKeyPair.fromSecretKey(1002n) };
const addressOf = (i: number) => chain.accounts[i]!.address.toLowerCase();

beforeAll(async () => {
  chain = await startLocalAvs({ accounts: 4, quorumCount: 1, taskResponseWindowBlocks: 1_000 });
  const chainId = Number(chain.deployment.chainId);
  config = {
    rpcUrl: chain.rpcUrl,
    chainId,
    contracts: {
      operatorRegistry: chain.deployment.operatorRegistry,
      operatorStateRetriever: chain.deployment.operatorStateRetriever,
      taskManager: chain.deployment.taskManager,
    },
  };
  const provider = createProvider(chain.rpcUrl, { chainId });
  try {
    for (const op of [staked, unstaked]) {
      await new OperatorRegistryClient({
        registry: chain.deployment.operatorRegistry,
        signer: new Wallet(chain.accounts[op.account]!.privateKey, provider),
      }).registerOperator({
        keyPair: op.bls,
        quorumNumbers: [0],
        endpoints: { httpUrl: `http://127.0.0.1:${op.account}`, raftUrl: `http://127.0.0.1:${op.account}` },
        chainId,
      });
    }
    await new OperatorRegistryClient({
      registry: chain.deployment.operatorRegistry,
      signer: new Wallet(chain.accounts[0]!.privateKey, provider),
    }).setOperatorStakes(0, new Map([[addressOf(staked.account), 10n ** 18n]]));
  } finally {
    provider.destroy();
  }
}, 120_000);

afterAll(async () => {
  await chain?.stop();
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const identity = (op: { account: number; bls: BlsKeyPair }) => ({
  address: addressOf(op.account),
  operatorId: op.bls.operatorId,
});

async function failure(c: StartupCheckConfig, op = staked): Promise<string> {
  const error = await runStartupChecks(c, identity(op)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StartupCheckError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

describe('startup checks on anvil', () => {
  it('pass for a registered operator with stake, reporting chain, block and stake', async () => {
    const report = await runStartupChecks(config, identity(staked));
    expect(report.chainId).toBe(config.chainId);
    expect(report.stakes).toEqual({ '0': (10n ** 18n).toString() });
  });

  it('RPC not reachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    expect(await failure({ ...config, rpcUrl: url })).toBe(
      `rpcUrl: ${url} does not answer (ECONNREFUSED): start the Ethereum node or fix rpcUrl`,
    );
  });

  it('another chain id than configured', async () => {
    expect(await failure({ ...config, chainId: 1 })).toBe(
      `chainId: the node at ${config.rpcUrl} is on chain ${config.chainId}, the config says 1: fix chainId or rpcUrl`,
    );
  });

  it('no contract code at a configured address', async () => {
    const nowhere = '0x000000000000000000000000000000000000dEaD';
    expect(await failure({ ...config, contracts: { ...config.contracts, taskManager: nowhere } })).toBe(
      `contracts.taskManager: no contract code at ${nowhere} on chain ${config.chainId}: fix the address (deployed on another chain?)`,
    );
  });

  it('operator not registered', async () => {
    const stranger = { account: 3, bls: BlsKeyPair.fromSecretKey(1003n) };
    expect(await failure(config, stranger)).toBe(
      `operator ${addressOf(3)} is not registered in ${config.contracts.operatorRegistry}: register it (with its BLS key and endpoints) first`,
    );
  });

  it('registered with another BLS key', async () => {
    const other = { account: staked.account, bls: BlsKeyPair.fromSecretKey(999n) };
    expect(await failure(config, other)).toMatch(
      new RegExp(
        `^keys\\.blsKeystore: operator ${addressOf(1)} is registered with operator id 0x[0-9a-f]{64}, this BLS key is ${other.bls.operatorId}: use the registered BLS key$`,
      ),
    );
  });

  it('registered without stake', async () => {
    expect(await failure(config, unstaked)).toMatch(
      new RegExp(
        `^operator ${addressOf(2)} has no stake in any quorum at block \\d+: delegate stake to it first$`,
      ),
    );
  });

  it('through the CLI: `start` exits 2 with the one line, before serving anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-startup-'));
    const keys = await writeKeyFiles(
      join(dir, 'keys'),
      { ecdsaPrivateKey: chain.accounts[unstaked.account]!.privateKey, bls: unstaked.bls },
      'pw',
      'light',
    );
    const path = join(dir, 'operator.json');
    await writeFile(
      path,
      JSON.stringify({ ...config, keys: { ...keys, passwordEnv: 'TEST_PW' }, server: { port: 0 } }),
    );
    const c = captureIo({ TEST_PW: 'pw' });
    expect(await runCli(['start', '--config', path, '--log-level', 'silent'], c.io)).toBe(2);
    expect(c.stderr()).toMatch(
      /^error: operator 0x[0-9a-f]{40} has no stake in any quorum at block \d+: delegate stake to it first\n$/,
    );
  });
});
