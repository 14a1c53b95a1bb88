/**
 * Three (then four) kv nodes in one process: real RaftNode, real HTTP API
 * (called in-process through `app.request`), MemoryStorage and the in-memory
 * network of @avs/raft-core with its fault hooks.
 */
import { createMemoryNetwork, type MemoryNetwork, MemoryStorage } from '@avs/raft-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvApi, KvNode, type KvNodeStatus, MAX_BODY_BYTES, type MemberInfo } from '../src/index.js';

const raft = {
  tickMs: 10,
  electionTick: 10,
  heartbeatTick: 1,
  snapshotEntries: 25,
  snapshotTrailingEntries: 5,
};
const member = (id: string): MemberInfo => ({
  id,
  peerUrl: `http://127.0.0.1:1${id.slice(1)}`,
  clientUrl: `http://client-${id}.test:8000`,
});

interface TestNode {
  node: KvNode;
  api: ReturnType<typeof createKvApi>;
  storage: MemoryStorage;
}

let net: MemoryNetwork;
const nodes = new Map<string, TestNode>();

async function startNode(id: string, bootstrap?: string[]): Promise<TestNode> {
  const storage = new MemoryStorage();
  const node = await KvNode.start({
    id,
    storage,
    transport: net.transport(id),
    members: ['n1', 'n2', 'n3'].map(member),
    raft,
    ...(bootstrap ? { bootstrap } : {}),
  });
  const t = { node, api: createKvApi(node), storage };
  nodes.set(id, t);
  return t;
}

function request(id: string, method: string, path: string, body?: unknown): Promise<Response> {
  const t = nodes.get(id);
  if (!t) throw new Error(`no node ${id}`);
  return Promise.resolve(
    t.api.request(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    }),
  );
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function leader(among = [...nodes.keys()]): Promise<string> {
  return until('a leader', () => {
    const leaders = among.filter((id) => nodes.get(id)?.node.status().role === 'leader');
    return leaders.length === 1 ? leaders[0] : undefined;
  });
}

beforeAll(async () => {
  net = createMemoryNetwork();
  for (const id of ['n1', 'n2', 'n3']) await startNode(id, ['n1', 'n2', 'n3']);
});

afterAll(async () => {
  for (const t of nodes.values()) {
    await t.node.close();
    await t.storage.close();
  }
});

describe('kv in process (3 nodes, memory storage and network)', () => {
  it('writes on the leader and reads linearizably from every node', async () => {
    const l = await leader();
    const put = await request(l, 'PUT', '/v1/kv/greeting', { value: 'hello' });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ revision: 1, prev: null });
    for (const id of ['n1', 'n2', 'n3']) {
      const got = await request(id, 'GET', '/v1/kv/greeting');
      expect(got.status).toBe(200);
      expect(await got.json()).toMatchObject({ key: 'greeting', value: 'hello', version: 1, modRevision: 1 });
    }
  });

  it('keys may contain slashes and encoded characters', async () => {
    const l = await leader();
    expect((await request(l, 'PUT', '/v1/kv/a/b%20c', { value: 'x' })).status).toBe(200);
    expect(await (await request(l, 'GET', '/v1/kv/a/b%20c')).json()).toMatchObject({
      key: 'a/b c',
      value: 'x',
    });
  });

  it('a write to a follower answers 421 NOT_LEADER with the leader and its URL', async () => {
    const l = await leader();
    const follower = ['n1', 'n2', 'n3'].find((id) => id !== l)!;
    const res = await request(follower, 'PUT', '/v1/kv/x', { value: '1' });
    expect(res.status).toBe(421);
    expect(await res.json()).toMatchObject({
      code: 'NOT_LEADER',
      leader: l,
      leaderUrl: member(l).clientUrl,
    });
    expect(res.headers.get('location')).toBe(`${member(l).clientUrl}/v1/kv/x`);
  });

  it('serves serializable reads from local state', async () => {
    const l = await leader();
    await request(l, 'PUT', '/v1/kv/s', { value: 'local' });
    const follower = ['n1', 'n2', 'n3'].find((id) => id !== l)!;
    const body = await until('the follower to apply', async () => {
      const res = await request(follower, 'GET', '/v1/kv/s?consistency=serializable');
      return res.status === 200 ? ((await res.json()) as { value: string }) : undefined;
    });
    expect(body.value).toBe('local');
    expect((await request(follower, 'GET', '/v1/kv/s?consistency=eventual')).status).toBe(400);
  });

  it('compare-and-set, delete and missing keys', async () => {
    const l = await leader();
    const created = await request(l, 'POST', '/v1/cas/lock', { value: 'me', expect: { value: null } });
    expect(created.status).toBe(200);
    const { current } = (await created.json()) as { current: { modRevision: number } };
    const lost = await request(l, 'POST', '/v1/cas/lock', { value: 'you', expect: { value: null } });
    expect(lost.status).toBe(409);
    expect(await lost.json()).toMatchObject({ code: 'COMPARE_FAILED', current: { value: 'me' } });
    const byRevision = await request(l, 'POST', '/v1/cas/lock', {
      value: 'again',
      expect: { modRevision: current.modRevision },
    });
    expect(byRevision.status).toBe(200);
    const del = await request(l, 'DELETE', '/v1/kv/lock');
    expect(await del.json()).toMatchObject({ deleted: true, prev: { value: 'again' } });
    expect(await (await request(l, 'DELETE', '/v1/kv/lock')).json()).toMatchObject({ deleted: false });
    const missing = await request(l, 'GET', '/v1/kv/lock');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('answers bad input with a 4xx JSON error, never a crash', async () => {
    const l = await leader();
    const bad = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ code, message: expect.any(String) });
    };
    const raw = (init: RequestInit) => nodes.get(l)!.api.request('/v1/kv/k', init);
    await bad(await raw({ method: 'PUT', body: '{"value":"x"}' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await bad(
      await raw({ method: 'PUT', body: '{not json', headers: { 'content-type': 'application/json' } }),
      400,
      'MALFORMED_JSON',
    );
    await bad(await request(l, 'PUT', '/v1/kv/k', { value: 5 }), 400, 'INVALID_BODY');
    await bad(await request(l, 'PUT', '/v1/kv/k', { value: 'x', extra: true }), 400, 'INVALID_BODY');
    await bad(await request(l, 'PUT', `/v1/kv/${'k'.repeat(1025)}`, { value: 'x' }), 400, 'INVALID_KEY');
    await bad(await request(l, 'POST', '/v1/cas/k', { value: 'x', expect: {} }), 400, 'INVALID_BODY');
    await bad(
      await request(l, 'POST', '/v1/members', { id: 'bad id', peerUrl: 'x', clientUrl: 'y' }),
      400,
      'INVALID_BODY',
    );
    // Oversized bodies: without a length (read up to the limit), with a declared length (refused before
    // reading), and with a declared length that lies (checked after reading).
    const huge = JSON.stringify({ value: 'x'.repeat(MAX_BODY_BYTES) });
    const json = { 'content-type': 'application/json' };
    await bad(await raw({ method: 'PUT', body: huge, headers: json }), 413, 'BODY_TOO_LARGE');
    await bad(
      await raw({ method: 'PUT', body: huge, headers: { ...json, 'content-length': String(huge.length) } }),
      413,
      'BODY_TOO_LARGE',
    );
    await bad(
      await raw({ method: 'PUT', body: huge, headers: { ...json, 'content-length': '20' } }),
      413,
      'BODY_TOO_LARGE',
    );
    const ok = await raw({
      method: 'PUT',
      body: '{"value":"y"}',
      headers: { ...json, 'content-length': '13' },
    });
    expect(ok.status).toBe(200);
    await bad(await request(l, 'GET', '/nope'), 404, 'NOT_FOUND');
    await bad(await request(l, 'DELETE', '/v1/members/n9'), 409, 'INVALID_MEMBERSHIP_CHANGE');
  });

  it('elects a new leader when the leader is cut off, keeps writing, and the old leader catches up', async () => {
    const old = await leader();
    net.isolate(old);
    const others = ['n1', 'n2', 'n3'].filter((id) => id !== old);
    const l = await leader(others);
    for (let i = 0; i < 10; i++) {
      expect((await request(l, 'PUT', `/v1/kv/p${i}`, { value: String(i) })).status).toBe(200);
    }
    // The cut-off node cannot serve a linearizable read (no quorum); it times out or says no leader.
    net.heal();
    const status = await until('the old leader to catch up', () => {
      const s: KvNodeStatus = nodes.get(old)!.node.status();
      return s.role === 'follower' && s.applied >= nodes.get(l)!.node.status().applied ? s : undefined;
    });
    expect(status.leader).toBe(l);
    expect(await (await request(old, 'GET', '/v1/kv/p9')).json()).toMatchObject({ value: '9' });
  });

  it('adds a fourth member that catches up from a snapshot, then removes it', async () => {
    let l = await leader();
    for (let i = 0; i < 60; i++) await request(l, 'PUT', `/v1/kv/bulk${i % 7}`, { value: `v${i}` });
    const n4 = await startNode('n4');
    l = await leader(['n1', 'n2', 'n3']);
    const add = await request(l, 'POST', '/v1/members', member('n4'));
    expect(add.status).toBe(200);
    expect(((await add.json()) as { voters: string[] }).voters).toContain('n4');
    await until('n4 to catch up', () =>
      n4.node.status().applied >= nodes.get(l)!.node.status().commit ? true : undefined,
    );
    // It was brought up to date by a snapshot: the leader's log no longer starts at 1.
    expect(n4.storage.snapshot().metadata.index).toBeGreaterThan(0);
    expect(n4.node.stateMachine.get('bulk3')?.value).toBe(
      nodes.get(l)!.node.stateMachine.get('bulk3')?.value,
    );
    const members = (await (await request('n4', 'GET', '/v1/members')).json()) as { members: MemberInfo[] };
    expect(members.members.map((m) => m.id)).toEqual(['n1', 'n2', 'n3', 'n4']);
    const remove = await request(l, 'DELETE', '/v1/members/n4');
    expect(remove.status).toBe(200);
    expect(((await remove.json()) as { voters: string[] }).voters).toEqual(['n1', 'n2', 'n3']);
  });

  it('GET /status shows role, term, leader, commit and applied', async () => {
    const l = await leader(['n1', 'n2', 'n3']);
    const body = (await (await request(l, 'GET', '/status')).json()) as KvNodeStatus;
    expect(body).toMatchObject({ id: l, role: 'leader', leader: l, stopped: false });
    expect(body.commit).toBeGreaterThan(0);
    expect(body.applied).toBeLessThanOrEqual(body.commit);
    expect(body.term).toBeGreaterThan(0);
  });
});
