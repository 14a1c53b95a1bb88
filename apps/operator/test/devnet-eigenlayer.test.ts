/**
 * The devnet on EigenLayer's own contracts (`chain: 'eigenlayer'`): three
 * operators with fresh keys register through EigenLayer (DelegationManager,
 * StrategyManager, RegistryCoordinator), the generator creates
 * incredible-squaring tasks, the Raft leader answers them with the aggregator
 * key and EigenLayer's BLSSignatureChecker verifies them. A stopped operator
 * appears as a non-signer and tasks still verify; the leader is killed
 * mid-task and every task gets exactly one on-chain response; a
 * deregistered operator is removed from the cluster (through the registry's events: the periodic
 * membership check is off).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProvider, EigenLayerOperatorClient, EigenLayerRegistryReader } from '@avs/chain';
import { eigenLayerFixture } from '@avs/contracts/local-chain';
import { Interface, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Devnet, startDevnet } from '../src/index.js';
import { readKeyFiles } from '../src/keys.js';
import { alive, poll } from './poll.js';

let devnet: Devnet;
let dir: string;
const lines: string[] = [];
const snapshot = () => devnet.state.snapshot();
const leaderOf = () => snapshot().operators.find((o) => o.up && o.role === 'leader');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devnet-el-'));
  devnet = await startDevnet({
    chain: 'eigenlayer',
    operators: 3,
    taskRate: 2,
    // Any two of three equal stakes answer: a stopped operator is a non-signer, not a stall.
    thresholdPercentage: 60,
    dataDir: dir,
    restartDelayMs: 1_500,
    // No periodic membership check: a deregistration must reach the cluster through the registry's events.
    membershipCheckIntervalMs: 0,
    onLine: (line) => {
      lines.push(line);
      if (lines.length > 400) lines.shift();
    },
  });
}, 300_000);

afterAll(async () => {
  const pids = devnet ? [...devnet.operators.map((p) => p.pid), devnet.chain.anvilPid] : [];
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
  expect(pids.filter((pid) => alive(pid))).toEqual([]);
}, 120_000);

const withOutput = (e: unknown) => new Error(`${(e as Error).message}\n${lines.slice(-60).join('\n')}`);

describe('devnet on EigenLayer (incredible-squaring)', () => {
  it('answers incredible-squaring tasks, verified by IncredibleSquaringTaskManager.respondToTask', async () => {
    expect(devnet.chainKind).toBe('eigenlayer');
    expect(devnet.chain.deployment.taskManager).toBe(eigenLayerFixture().deployment.taskManager);
    await poll(() => snapshot().totals.verified >= 3, 'three tasks are verified on-chain').catch((e) => {
      throw withOutput(e);
    });
    for (const t of snapshot().tasks.filter((x) => x.status === 'verified')) {
      expect(t.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      const n = BigInt(t.label.replace('²', ''));
      expect(t.result).toBe(`→ ${n * n}`);
    }
  });

  it('a stopped operator is a non-signer and tasks still verify', async () => {
    const follower = devnet.operators.find((p) => p.name !== leaderOf()?.name)!;
    follower.kill();
    const from = snapshot().totals.created;
    await poll(
      () => snapshot().tasks.some((t) => t.taskIndex >= from && t.status === 'verified' && t.signers === 2),
      'a task signed by two of three is verified',
    ).catch((e) => {
      throw withOutput(e);
    });
    follower.start();
    await poll(() => snapshot().operators.every((o) => o.up), 'every operator is up again');
  });

  it('a leader killed mid-task: tasks keep verifying, each answered exactly once on-chain', async () => {
    await poll(() => leaderOf() !== undefined, 'a leader is known');
    const before = leaderOf()!;
    const verifiedBefore = snapshot().totals.verified;
    expect(devnet.killLeader()).toBe(before.name);
    await poll(() => (leaderOf()?.term ?? 0) > before.term, 'a leader of a later term');
    await poll(() => snapshot().totals.verified >= verifiedBefore + 3, 'three more tasks are verified').catch(
      (e) => {
        throw withOutput(e);
      },
    );
    await devnet.pauseTasks();
    const created = snapshot().tasks.map((t) => t.taskIndex);
    await poll(() => devnet.state.outstanding() === 0, 'every created task is answered').catch((e) => {
      throw withOutput(e);
    });
    // Count the TaskResponded events per task on-chain: never two.
    const provider = createProvider(devnet.chain.rpcUrl);
    try {
      const iface = new Interface([
        'event TaskResponded((uint32 referenceTaskIndex, uint256 numberSquared) r, (uint32 b, bytes32 h) m)',
      ]);
      const logs = await provider.getLogs({
        address: devnet.chain.deployment.taskManager,
        topics: [iface.getEvent('TaskResponded')!.topicHash],
        fromBlock: 0,
        toBlock: 'latest',
      });
      const counts = new Map<number, number>();
      for (const log of logs) {
        const index = Number(iface.parseLog(log)!.args[0][0]);
        counts.set(index, (counts.get(index) ?? 0) + 1);
      }
      expect([...counts.values()].every((c) => c === 1)).toBe(true);
      const verified = snapshot()
        .tasks.filter((t) => t.status === 'verified')
        .map((t) => t.taskIndex);
      for (const index of verified) expect(counts.get(index)).toBe(1);
      expect(verified.length).toBeGreaterThan(0);
      expect(created.length).toBeGreaterThanOrEqual(verified.length);
    } finally {
      provider.destroy();
    }
    devnet.resumeTasks();
  });

  it('a deregistered operator is removed from the cluster', async () => {
    const leaving = devnet.operators.find((p) => p.name !== leaderOf()?.name)!;
    const keys = await readKeyFiles(
      {
        ecdsaKeystore: join(dir, leaving.name, 'keys', 'ecdsa.keystore.json'),
        blsKeystore: join(dir, leaving.name, 'keys', 'bls.keystore.json'),
      },
      'devnet',
    );
    const provider = createProvider(devnet.chain.rpcUrl);
    try {
      const d = eigenLayerFixture().deployment;
      const client = new EigenLayerOperatorClient({
        signer: new Wallet(keys.ecdsaPrivateKey, provider),
        contracts: d,
      });
      await client.deregisterOperator([0]);
      const reader = new EigenLayerRegistryReader({
        provider,
        registryCoordinator: d.registryCoordinator,
        operatorStateRetriever: d.operatorStateRetriever,
        middleware: 'm2',
      });
      expect(await reader.isRegisteredOperator(keys.address)).toBe(false);
      await poll(async () => {
        const leader = leaderOf();
        if (!leader) return false;
        const process = devnet.operators.find((p) => p.name === leader.name)!;
        const res = await fetch(`${leader.url}/avs/v1/status`, { headers: process.authHeaders() });
        const status = (await res.json()) as { voters: string[] };
        return !status.voters.includes(keys.address);
      }, `${leaving.name} is removed from the cluster`).catch((e) => {
        throw withOutput(e);
      });
    } finally {
      provider.destroy();
    }
  });
});
