/**
 * One cluster per AVS, at the process level (issue #17 item 8): with op-0's
 * cluster running, a second operator process configured with
 * `cluster.bootstrap: true` probes the registered operators, finds op-0's
 * cluster and exits with code 2 and the one-line CLUSTER_EXISTS message,
 * without founding a second cluster. Real anvil, real `avs-operator start`
 * processes over HTTP on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorConfigInput } from '../src/config.js';
import { type DevnetChain, startDevnetChain } from '../src/devnet/devnet-chain.js';
import {
  createOperatorProcesses,
  DEVNET_PASSWORD,
  type DevnetOperatorSpec,
  registerOperators,
  statusOf,
  waitUntil,
} from '../src/devnet/devnet-operators.js';
import { type OperatorProcess, operatorCommand } from '../src/devnet/operator-process.js';

let devchain: DevnetChain;
let dir: string;
let specs: DevnetOperatorSpec[];
let processes: OperatorProcess[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'one-cluster-process-'));
  devchain = await startDevnetChain('avs-raft', 2);
  specs = await registerOperators(devchain, 2, dir);
  processes = await createOperatorProcesses(devchain, specs, {
    storage: 'file',
    runtime: 'node',
    taskTimeoutMs: 30_000,
    fromBuild: false,
    print: () => {},
  });
}, 180_000);

afterAll(async () => {
  for (const p of processes ?? []) await p.stop();
  await devchain?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** Runs `avs-operator start` for `configPath` to its end; its exit code and stderr. */
function runToExit(configPath: string): Promise<{ code: number | null; stderr: string }> {
  const { command, args } = operatorCommand('node', configPath);
  const child = spawn(command, args, {
    env: { ...process.env, ...devchain.env, AVS_KEY_PASSWORD: DEVNET_PASSWORD },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('avs-operator start with cluster.bootstrap', () => {
  it('refuses to found a second cluster: exit 2 with the CLUSTER_EXISTS message naming the first', async () => {
    const [first, second] = processes as [OperatorProcess, OperatorProcess];
    first.start();
    await waitUntil(processes.slice(0, 1), 'op-0 leads its cluster', async () => {
      return (await statusOf(first))?.role === 'leader';
    });
    // op-1 is configured to bootstrap too (the devnet would have it join op-0).
    const config = JSON.parse(await readFile(second.configPath, 'utf8')) as OperatorConfigInput;
    const { joinUrl: _, ...cluster } = config.cluster ?? {};
    await writeFile(
      second.configPath,
      JSON.stringify({ ...config, cluster: { ...cluster, bootstrap: true } }),
    );

    const { code, stderr } = await runToExit(second.configPath);
    expect(stderr).toBe(
      `error: cluster.bootstrap: not founding a cluster: cluster 'devnet' exists (leader or member ${first.address}); join it (set cluster.joinUrl to ${first.address}'s URL instead)\n`,
    );
    expect(code).toBe(2);
    const status = await statusOf(first);
    expect(status?.voters).toEqual([first.address]);
    expect(status?.learners ?? []).toEqual([]);
  }, 180_000);
});
