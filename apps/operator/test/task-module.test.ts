/**
 * Your own AVS on a devnet: the example task module is copied into a temporary
 * directory outside the repository (with zod and ethers installed beside it, as
 * in a team's own project), the operators load it from there, and its tasks are
 * answered, aggregated and verified on-chain.
 */
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Devnet, loadTaskModule, OperatorConfigError, startDevnet } from '../src/index.js';
import { alive, poll } from './poll.js';

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;
let modulePath: string;
let devnet: Devnet | undefined;
const lines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'my-avs-'));
  modulePath = join(dir, 'sum-avs.mjs');
  await cp(join(here, '..', 'examples', 'sum-avs.mjs'), modulePath);
  // The team's project has its own node_modules: link the two packages the module imports.
  await mkdir(join(dir, 'node_modules'), { recursive: true });
  for (const name of ['zod', 'ethers']) {
    await symlink(join(here, '..', 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
}, 30_000);

afterAll(async () => {
  const pids = devnet ? [...devnet.operators.map((p) => p.pid), devnet.chain.anvilPid] : [];
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
  expect(pids.filter((pid) => alive(pid))).toEqual([]);
}, 120_000);

describe('task modules', () => {
  it('refuses a module with a missing export, naming it', async () => {
    const bad = join(dir, 'bad.mjs');
    await writeFile(bad, 'export const requestSchema = { safeParse() {} };\n');
    const error = await loadTaskModule(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperatorConfigError);
    expect((error as Error).message).toBe(
      `avs.path: the task module ${bad} must export responseSchema: expected a zod schema`,
    );
    await expect(loadTaskModule(join(dir, 'missing.mjs'))).rejects.toThrow(
      /^avs\.path: cannot load the task module/,
    );
  });

  it('a module from outside the repository runs on a devnet: tasks answered with its logic, verified on-chain', async () => {
    devnet = await startDevnet({
      operators: 2,
      taskRate: 2,
      dataDir: join(dir, 'devnet'),
      taskModule: modulePath,
      thresholdPercentage: 66,
      onLine: (line) => {
        lines.push(line);
        if (lines.length > 200) lines.shift();
      },
    });
    await poll(
      () => devnet!.state.snapshot().totals.verified >= 3,
      'three module tasks verified on-chain',
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${lines.slice(-40).join('\n')}`);
    });
    const verified = devnet.state.snapshot().tasks.filter((t) => t.status === 'verified');
    expect(verified.length).toBeGreaterThanOrEqual(3);
    for (const task of verified) {
      // exampleRequest(n) is [n, 2n, 3n]: the sum is 6n, as computed by the module's onTaskRequest.
      const n = Number((JSON.parse(task.label) as { numbers: string[] }).numbers[0]);
      expect(task.result).toBe(`sum ${6 * n}`);
    }
  });
});
