/**
 * The devnet end to end: a real anvil chain with the AVS contracts, three
 * operator processes over HTTP with file storage, tasks verified on-chain,
 * the leader SIGKILLed and tasks still verified, the dashboard in a real
 * headless Chromium, and nothing left running afterwards.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, type Devnet, serveDashboard, startDevnet } from '../src/index.js';
import { alive, poll } from './poll.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let devnet: Devnet;
let dashboard: Dashboard;
let dir: string;
const lines: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'devnet-test-'));
  devnet = await startDevnet({
    operators: 3,
    taskRate: 3,
    oracleEvery: 3,
    dataDir: dir,
    restartDelayMs: 2_000,
    onLine: (line) => {
      lines.push(line);
      if (lines.length > 400) lines.shift();
    },
  });
  dashboard = await serveDashboard({
    snapshot: () => devnet.state.snapshot(),
    killLeader: () => devnet.killLeader(),
  });
}, 300_000);

afterAll(async () => {
  const pids = [...devnet.operators.map((p) => p.pid), devnet.chain.anvilPid];
  await dashboard?.close();
  await devnet?.stop();
  await rm(dir, { recursive: true, force: true });
  // Ctrl-C leaves nothing behind: every operator and the chain are gone.
  expect(pids.filter((pid) => alive(pid))).toEqual([]);
}, 120_000);

const leaderOf = () => devnet.state.snapshot().operators.find((o) => o.up && o.role === 'leader');

describe('devnet', () => {
  it('verifies tasks on-chain, including oracle requests with several responses each', async () => {
    await poll(() => devnet.state.snapshot().totals.verified >= 4, 'four tasks are verified on-chain').catch(
      (e) => {
        throw new Error(`${(e as Error).message}\n${lines.slice(-60).join('\n')}`);
      },
    );
    await poll(
      () => devnet.state.snapshot().tasks.some((t) => t.kind === 'price' && t.status === 'verified'),
      'an oracle task is verified',
    );
    const verified = devnet.state.snapshot().tasks.filter((t) => t.status === 'verified');
    for (const t of verified) {
      expect(t.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      if (t.kind === 'square') expect(t.result).toMatch(/^\d+ → \d+$/);
    }
  });

  it('elects a new leader when the leader is killed, and tasks keep being verified', async () => {
    await poll(() => leaderOf() !== undefined, 'a leader is known');
    const before = leaderOf()!;
    const verifiedBefore = devnet.state.snapshot().totals.verified;
    expect(devnet.killLeader()).toBe(before.name);
    await poll(() => {
      const now = leaderOf();
      return now !== undefined && now.term > before.term;
    }, 'a leader of a later term');
    await poll(
      () => devnet.state.snapshot().totals.verified >= verifiedBefore + 3,
      'three more tasks are verified',
    );
    // The killed operator comes back from its data directory and catches up.
    await poll(() => devnet.state.snapshot().operators.every((o) => o.up), 'every operator is up again');
  });

  it('shows operators and verified tasks on the dashboard in a real browser', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the test command installs it (apt-get install chromium); set CHROMIUM_PATH to use another`,
      );
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(dashboard.url);
      await page.waitForSelector('tr[data-operator]', { timeout: 30_000 });
      await page.waitForSelector('tr[data-status="verified"]', { timeout: 60_000 });
      expect(await page.locator('tr[data-operator]').count()).toBe(3);
      expect(await page.locator('#verified').textContent()).toMatch(/^\d+$/);
      const artifacts = join(import.meta.dirname, '..', 'test-artifacts');
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
