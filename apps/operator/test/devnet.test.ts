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
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
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
    // Batching is on by default on this project's TaskManager (answers land through respondToBatch).
    const op = devnet.operators[0]!;
    const status = (await (await fetch(`${op.url}/avs/v1/status`, { headers: op.authHeaders() })).json()) as {
      batching: boolean;
    };
    expect(status.batching).toBe(true);
    const verified = devnet.state.snapshot().tasks.filter((t) => t.status === 'verified');
    for (const t of verified) {
      expect(t.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      if (t.kind === 'square') expect(t.result).toMatch(/^\d+ → \d+$/);
    }
  });

  it('serves Prometheus /metrics with Raft, task, transport and RPC metrics after tasks ran', async () => {
    await poll(() => devnet.state.snapshot().totals.verified >= 4, 'four tasks are verified on-chain');
    // The operator that leads now (asked, not taken from the devnet's last view) submitted tasks.
    let url = '';
    await poll(async () => {
      for (const p of devnet.operators) {
        const text = await (await fetch(`${p.url}/metrics`, { headers: p.authHeaders() })).text();
        if (/^avs_raft_is_leader\{[^}]*\} 1$/m.test(text)) url = p.url;
      }
      return url !== '';
    }, 'an operator reports that it leads');
    const operator = devnet.operators.find((p) => p.url === url)!;
    // Term and commit are not for anyone: without the API token (or a session) the answer is 401.
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    const response = await fetch(`${url}/metrics`, { headers: operator.authHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    // Parses as Prometheus text (the parser throws on malformed input).
    const families = parsePrometheusTextFormat(text);
    const byName = new Map(families.map((f) => [f.name, f]));
    const value = (name: string, labels: Record<string, string> = {}) =>
      Number(
        byName.get(name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
          ?.value ?? Number.NaN,
      );
    // The parser drops a histogram's labels and _count: read the observation count from the text.
    const count = (name: string, label = '') => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}_count{`) && l.includes(label));
      return Number(line?.split(' ').at(-1) ?? Number.NaN);
    };
    expect(value('avs_raft_term')).toBeGreaterThanOrEqual(1);
    expect(value('avs_raft_commit_index')).toBeGreaterThan(0);
    expect(value('avs_raft_applied_index')).toBeGreaterThan(0);
    expect(value('avs_raft_apply_lag')).toBeGreaterThanOrEqual(0);
    expect(value('avs_raft_is_leader')).toBe(1);
    expect(value('avs_raft_members', { role: 'voter' })).toBe(3);
    expect(value('avs_raft_leader_changes_total')).toBeGreaterThanOrEqual(1);
    expect(value('avs_raft_proposals_total', { outcome: 'ok' })).toBeGreaterThan(0);
    expect(byName.get('avs_raft_storage_save_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(count('avs_raft_storage_save_duration_seconds')).toBeGreaterThan(0);
    for (const stage of ['received', 'signed', 'aggregated', 'submitted']) {
      expect(value('avs_raft_tasks_total', { stage }), stage).toBeGreaterThan(0);
    }
    expect(count('avs_raft_task_hop_duration_seconds', 'hop="received_to_signed"')).toBeGreaterThan(0);
    expect(count('avs_raft_task_hop_duration_seconds', 'hop="seen_to_aggregated"')).toBeGreaterThan(0);
    expect(count('avs_raft_task_hop_duration_seconds', 'hop="aggregated_to_submitted"')).toBeGreaterThan(0);
    await poll(async () => {
      const text = await (await fetch(`${url}/metrics`, { headers: operator.authHeaders() })).text();
      return /^avs_raft_gas_used_total\{[^}]*\} [1-9]/m.test(text);
    }, 'gas used is counted');
    expect(value('avs_raft_transport_messages', { direction: 'sent' })).toBeGreaterThan(0);
    expect(value('avs_raft_transport_handshakes', { outcome: 'accepted' })).toBeGreaterThanOrEqual(0);
    expect(value('eigen_rpc_request_total', { method: 'eth_blockNumber' })).toBeGreaterThan(0);
    expect(byName.get('eigen_rpc_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(value('eigen_performance_score')).toBe(100);
    // The spec keeps the eigen_ prefix for its own metrics; ours all carry avs_name.
    for (const f of families) {
      if (f.name.startsWith('eigen_')) {
        expect([
          'eigen_rpc_request_total',
          'eigen_rpc_request_duration_seconds',
          'eigen_performance_score',
        ]).toContain(f.name);
      }
    }
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(line).toContain('avs_name="avs-raft"');
    }
  });

  it("answers EigenLayer's node API per the specification", async () => {
    const url = devnet.operators[1]!.url;
    const node = await (await fetch(`${url}/eigen/node`)).json();
    expect(node).toEqual({
      node_name: 'avs-raft',
      spec_version: 'v0.0.1',
      node_version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    await poll(async () => (await fetch(`${url}/eigen/node/health`)).status === 200, 'the node is healthy');
    const { services } = (await (await fetch(`${url}/eigen/node/services`)).json()) as {
      services: { id: string; name: string; description: string; status: string }[];
    };
    expect(services.map((s) => s.id)).toEqual(['raft', 'ethereum-rpc']);
    for (const s of services) {
      expect(s).toEqual({
        id: s.id,
        name: expect.any(String),
        description: expect.any(String),
        status: 'Up',
      });
      expect((await fetch(`${url}/eigen/node/services/${s.id}/health`)).status).toBe(200);
    }
    expect((await fetch(`${url}/eigen/node/services/nope/health`)).status).toBe(404);
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
