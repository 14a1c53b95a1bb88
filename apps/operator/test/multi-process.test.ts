/**
 * Three operator processes over real HTTP with file storage against anvil:
 * tasks are verified on-chain; the leader is killed with SIGKILL and tasks
 * keep completing, each with exactly one on-chain response.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BlsKeyPair } from '@avs/bls';
import { connectAvs, createProvider, OperatorRegistryClient, type TaskManagerClient } from '@avs/chain';
import { type LocalAvs, startLocalAvs } from '@avs/contracts/local-chain';
import { findFreePort } from '@avs/transport-http/node';
import { AbiCoder, type JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { poll } from './poll.js';
import type { OperatorArgs } from './support/engine-process.js';

interface Proc {
  child: ChildProcess;
  address: string;
  url: string;
  status: { role?: string; leaderId?: string; voters?: string[] };
  tasks: number[];
  exited: boolean;
}

const script = fileURLToPath(new URL('./support/engine-process.ts', import.meta.url));
let avs: LocalAvs;
let provider: JsonRpcProvider;
let tasks: TaskManagerClient;
let dir = '';
const procs: Proc[] = [];

function spawnOperator(args: OperatorArgs, address: string): Proc {
  const child = spawn(
    process.execPath,
    ['--conditions=@avs/source', '--import', 'tsx', script, JSON.stringify(args)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const proc: Proc = {
    child,
    address,
    url: `http://127.0.0.1:${args.port}`,
    status: {},
    tasks: [],
    exited: false,
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (msg.type === 'status') proc.status = msg as Proc['status'];
      if (msg.type === 'task') proc.tasks.push(msg.taskIndex as number);
    } catch {
      // not ours
    }
  });
  child.stderr!.resume();
  child.on('exit', () => {
    proc.exited = true;
  });
  procs.push(proc);
  return proc;
}

const leaderProc = () => procs.find((p) => !p.exited && p.status.role === 'leader');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'engine-mp-'));
  avs = await startLocalAvs({ accounts: 5, quorumCount: 1, taskResponseWindowBlocks: 1_000 });
  provider = createProvider(avs.rpcUrl);
  const d = avs.deployment;
  const owner = new Wallet(avs.accounts[0]!.privateKey, provider);
  tasks = connectAvs({ provider, contracts: d }).taskManager;
  const ownerRegistry = new OperatorRegistryClient({
    registry: d.operatorRegistry,
    signer: owner,
    receiptPollMs: 10,
  });
  await ownerRegistry.setOperatorStakes(0, new Map([1, 2, 3].map((i) => [avs.accounts[i]!.address, 100n])));
  const argsList: { args: OperatorArgs; address: string }[] = [];
  const ports = new Set<number>();
  for (const i of [1, 2, 3]) {
    const key = avs.accounts[i]!.privateKey;
    const wallet = new Wallet(key, provider);
    const blsSecret = String(9_000 + i);
    const port = await findFreePort(ports);
    const url = `http://127.0.0.1:${port}`;
    const registry = new OperatorRegistryClient({
      registry: d.operatorRegistry,
      signer: wallet,
      receiptPollMs: 10,
    });
    await registry.registerOperator({
      keyPair: BlsKeyPair.fromSecretKey(blsSecret),
      quorumNumbers: [0],
      endpoints: { raftUrl: url, httpUrl: url },
      chainId: d.chainId,
    });
    argsList.push({
      address: wallet.address.toLowerCase(),
      args: {
        ecdsaKey: key,
        blsSecret,
        rpcUrl: avs.rpcUrl,
        chainId: Number(d.chainId),
        registry: d.operatorRegistry,
        retriever: d.operatorStateRetriever,
        taskManager: d.taskManager,
        port,
        dir: join(dir, `op-${i}`),
      },
    });
  }
  // All three start at once (loading takes a while); the joiners retry until the founder answers.
  const first = spawnOperator(argsList[0]!.args, argsList[0]!.address);
  for (const { args, address } of argsList.slice(1)) spawnOperator({ ...args, joinUrl: first.url }, address);
  await poll(() => procs.every((p) => p.status.voters?.length === 3), 'three voters everywhere');
}, 120_000);

afterAll(async () => {
  for (const p of procs) {
    if (!p.exited) p.child.kill('SIGKILL');
  }
  await poll(() => procs.every((p) => p.exited), 'children exited');
  provider?.destroy();
  await avs?.stop();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

async function runTask(n: number): Promise<number> {
  const leader = leaderProc()!;
  const before = leader.tasks.length;
  for (const p of procs) if (!p.exited) p.child.stdin!.write(`task ${n}\n`);
  await poll(() => leader.tasks.length > before, `leader created task ${n}`);
  const taskIndex = leader.tasks[leader.tasks.length - 1]!;
  await poll(async () => (await tasks.getResponse(taskIndex)) !== undefined, `task ${taskIndex} on-chain`);
  return taskIndex;
}

describe('three operator processes on anvil', () => {
  it('complete tasks on-chain, and keep completing them after the leader is SIGKILLed', async () => {
    const t1 = await runTask(3);
    const answer = await tasks.getResponse(t1);
    expect(
      AbiCoder.defaultAbiCoder().decode(['uint256', 'uint256'], answer!.response.result).map(Number),
    ).toEqual([3, 9]);
    const old = leaderProc()!;
    old.child.kill('SIGKILL');
    await poll(() => old.exited, 'leader process gone');
    await poll(() => leaderProc() !== undefined, 'a new leader');
    const t2 = await runTask(4);
    const t3 = await runTask(5);
    for (const t of [t1, t2, t3]) expect(await tasks.isResponded(t)).toBe(true);
    expect(new Set([t1, t2, t3]).size).toBe(3);
  }, 180_000);
});
