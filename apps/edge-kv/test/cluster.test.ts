/**
 * edge-kv in workerd (Miniflare 4): three Durable Objects run Raft members,
 * a Worker routes client requests to the leader. Everything below goes
 * through the Worker over HTTP on 127.0.0.1, as a client would.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startEdgeKv } from './edge-kv-workerd.js';

const kv = await startEdgeKv();
afterAll(() => kv.dispose());

interface MemberStatus {
  member: string;
  role: string;
  leader: string;
  term: number;
  applied: number;
}

async function put(key: string, value: string): Promise<Response> {
  return fetch(`${kv.url}/kv/${encodeURIComponent(key)}`, { method: 'PUT', body: value });
}

async function get(key: string): Promise<{ status: number; value?: string }> {
  const res = await fetch(`${kv.url}/kv/${encodeURIComponent(key)}`);
  const body = (await res.json()) as { value?: string };
  return { status: res.status, ...(body.value === undefined ? {} : { value: body.value }) };
}

async function statuses(): Promise<MemberStatus[]> {
  return (await (await fetch(`${kv.url}/admin/status`)).json()) as MemberStatus[];
}

/** Runs `count` tasks, `concurrency` at a time. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

describe('edge-kv: three Raft members in three Durable Objects', () => {
  /** Every write the Worker acknowledged (200), with its value. */
  const acknowledged = new Map<string, string>();

  it('elects a leader and commits 1,000 writes', async () => {
    await pool(1_000, 16, async (i) => {
      const res = await put(`key-${i}`, `value-${i}`);
      expect(res.status).toBe(200);
      const { index } = (await res.json()) as { index: number };
      expect(index).toBeGreaterThan(0);
      acknowledged.set(`key-${i}`, `value-${i}`);
    });
    expect(acknowledged.size).toBe(1_000);
    const members = await statuses();
    const leaders = members.filter((m) => m.role === 'leader');
    expect(leaders).toHaveLength(1);
    // Every member has applied (at least) the 1,000 writes, plus the leader's no-op entries.
    for (const m of members) expect(m.applied).toBeGreaterThanOrEqual(1_000);
  });

  it('survives the leader object being reset and keeps every acknowledged write', async () => {
    const before = await statuses();
    const oldLeader = before.find((m) => m.role === 'leader');
    expect(oldLeader).toBeDefined();
    const reset = await fetch(`${kv.url}/admin/reset?member=${oldLeader?.member}`, { method: 'POST' });
    expect(reset.status).toBe(200);

    // Writes during and after the failover: the router waits out the election.
    await pool(100, 8, async (i) => {
      const res = await put(`after-${i}`, `v${i}`);
      if (res.status === 200) acknowledged.set(`after-${i}`, `v${i}`);
      else await res.arrayBuffer();
    });
    expect(acknowledged.size).toBeGreaterThanOrEqual(1_050);

    const after = await statuses();
    expect(after.filter((m) => m.role === 'leader')).toHaveLength(1);
    expect(Math.max(...after.map((m) => m.term))).toBeGreaterThan(oldLeader?.term ?? 0);

    // Every acknowledged write, read back linearizably through the Worker.
    const missing: string[] = [];
    await pool(acknowledged.size, 16, async (i) => {
      const [key, value] = [...acknowledged][i] as [string, string];
      const got = await get(key);
      if (got.status !== 200 || got.value !== value) missing.push(`${key}: ${JSON.stringify(got)}`);
    });
    expect(missing).toEqual([]);
  });

  it('a read through the Worker sees the write acknowledged just before it (linearizable read)', async () => {
    for (let round = 0; round < 20; round++) {
      expect((await put('register', `r${round}`)).status).toBe(200);
      expect(await get('register')).toEqual({ status: 200, value: `r${round}` });
    }
    expect(await get('never-written')).toEqual({ status: 404 });
  });

  it('refuses a value the state machine would skip, before proposing it', async () => {
    const res = await put('too-big', 'x'.repeat(64 * 1024 + 1));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_BODY' });
    expect(await get('too-big')).toEqual({ status: 404 });
  });
});
