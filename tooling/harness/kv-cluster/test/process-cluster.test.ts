/**
 * The real thing: three kv processes from the built `dist/main.js`, file
 * storage with fsync, HTTP between them on 127.0.0.1. Writes and reads,
 * SIGKILL of the leader, more writes, restart from the data directory,
 * clean SIGTERM shutdown. Every process is stopped in afterAll.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_KV_ENTRY, KvClient } from '@avs/kv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvProcessCluster } from '../src/index.js';

let baseDir: string;
let cluster: KvProcessCluster;
let client: KvClient;

beforeAll(async () => {
  if (!existsSync(DEFAULT_KV_ENTRY)) {
    throw new Error(
      `${DEFAULT_KV_ENTRY} is missing: run "pnpm --filter @avs/kv build" first (turbo does it before test)`,
    );
  }
  baseDir = mkdtempSync(join(tmpdir(), 'avs-kv-proc-'));
  cluster = await KvProcessCluster.start({ baseDir, size: 3 });
  client = new KvClient({ endpoints: cluster.members.map((m) => m.clientUrl), attempts: 100 });
}, 120_000);

afterAll(async () => {
  await cluster?.stopAll();
  if (baseDir) rmSync(baseDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('kv as three processes (file storage, HTTP)', () => {
  const written = new Map<string, string>();

  it('elects a leader, writes through it and reads linearizably from every node', async () => {
    const leader = await cluster.waitForLeader(60_000);
    for (let i = 0; i < 20; i++) {
      await client.put(`k${i}`, `before-${i}`);
      written.set(`k${i}`, `before-${i}`);
    }
    for (const m of cluster.members) {
      const one = new KvClient({ endpoints: [m.clientUrl] });
      expect((await one.get('k7'))?.value).toBe('before-7');
    }
    const status = await cluster.status(leader);
    expect(status).toMatchObject({ id: leader, role: 'leader', stopped: false });
    expect(status!.commit).toBeGreaterThanOrEqual(20);
  });

  it('keeps serving after the leader is SIGKILLed, and the restarted node catches up from its data dir', async () => {
    const old = await cluster.waitForLeader(60_000);
    await cluster.kill(old);
    expect(cluster.running()).not.toContain(old);
    const others = cluster.members.map((m) => m.id).filter((id) => id !== old);
    const leader = await cluster.waitForLeader(60_000, others);
    expect(leader).not.toBe(old);
    for (let i = 20; i < 40; i++) {
      await client.put(`k${i}`, `after-${i}`);
      written.set(`k${i}`, `after-${i}`);
    }
    await client.put('k0', 'overwritten');
    written.set('k0', 'overwritten');

    await cluster.startNode(old);
    const leaderCommit = (await cluster.status(leader))!.commit;
    await until('the restarted node to catch up', async () => {
      const s = await cluster.status(old);
      return s && s.applied >= leaderCommit ? s : undefined;
    });
    // Serializable reads on the restarted node see every acknowledged write, old and new.
    const local = new KvClient({ endpoints: [cluster.clientUrl(old)] });
    for (const [key, value] of written) expect((await local.get(key, 'serializable'))?.value).toBe(value);
  });

  it('compare-and-set and delete work across the cluster', async () => {
    await client.compareAndSet('lock', 'a', { value: null });
    await expect(client.compareAndSet('lock', 'b', { value: null })).rejects.toMatchObject({
      code: 'COMPARE_FAILED',
    });
    expect(await client.delete('lock')).toMatchObject({ deleted: true });
    expect(await client.get('lock')).toBeUndefined();
  });

  it('stops cleanly on SIGTERM (exit code 0) and restarts from its data dir', async () => {
    const leader = await cluster.waitForLeader(60_000);
    const follower = cluster.members.map((m) => m.id).find((id) => id !== leader)!;
    const exit = await cluster.stop(follower);
    expect(exit).toEqual({ code: 0, signal: null });
    await cluster.startNode(follower);
    const local = new KvClient({ endpoints: [cluster.clientUrl(follower)] });
    expect((await local.get('k39'))?.value).toBe('after-39');
  });
});
