import { describe, expect, it } from 'vitest';
import { type DevnetSnapshot, DevnetState } from '../devnet/devnet-state.js';
import { createDashboardApp, DASHBOARD_TOKEN_HEADER } from './dashboard-server.js';

const HOST = '127.0.0.1:8550';
const TOKEN = 'f'.repeat(48);
const guard = { token: TOKEN, hosts: () => [HOST] };
/** A request as the dashboard's own page sends it (Host is the dashboard). */
const own = (init: RequestInit = {}, extra: Record<string, string> = {}): RequestInit => ({
  ...init,
  headers: { host: HOST, ...extra },
});
const action = { origin: `http://${HOST}`, [DASHBOARD_TOKEN_HEADER]: TOKEN };

function source() {
  const state = new DevnetState('http://127.0.0.1:8545');
  state.setOperators([
    {
      name: 'op-0',
      address: '0x01',
      url: 'http://127.0.0.1:1',
      pid: 1,
      up: true,
      role: 'leader',
      term: 2,
      leaderId: 'op-0',
      commit: 5,
      applied: 5,
      restarts: 0,
    },
  ]);
  state.addTask({
    taskIndex: 0,
    kind: 'square',
    label: '3²',
    status: 'created',
    createdAtMs: Date.now() - 50,
  });
  state.markVerified(0, '0xabc', '3 → 9');
  let kills = 0;
  return {
    state,
    kills: () => kills,
    src: { snapshot: () => state.snapshot(), killLeader: () => (kills++ === 0 ? 'op-0' : undefined) },
  };
}

describe('dashboard', () => {
  it('serves a self-contained page (no external scripts or styles)', async () => {
    const app = createDashboardApp(source().src, guard);
    const res = await app.request('/', own());
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>AVS devnet</title>');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('answers the state as JSON and streams it as server-sent events', async () => {
    const { src } = source();
    const app = createDashboardApp(src, guard, 10);
    const state = (await (await app.request('/api/state', own())).json()) as DevnetSnapshot;
    expect(state.totals).toMatchObject({ created: 1, answered: 1, verified: 1 });
    expect(state.tasks[0]).toMatchObject({ taskIndex: 0, status: 'verified', result: '3 → 9' });
    const controller = new AbortController();
    const res = await app.request('/api/events', own({ signal: controller.signal }));
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text).toContain('event: state');
    expect(text).toContain('"verified":1');
    controller.abort();
    await reader.cancel();
  });

  it('kills the leader on request and says so when there is none', async () => {
    const app = createDashboardApp(source().src, guard);
    const kill = () => app.request('/api/chaos/kill-leader', own({ method: 'POST' }, action));
    expect(await (await kill()).json()).toEqual({ killed: 'op-0' });
    const second = await kill();
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: 'NO_LEADER' });
  });

  it('refuses the action without the token, with a wrong token, and from another Origin', async () => {
    const { src, kills } = source();
    const app = createDashboardApp(src, guard);
    const post = (extra: Record<string, string>) =>
      app.request('/api/chaos/kill-leader', own({ method: 'POST' }, extra));
    const noToken = await post({ origin: `http://${HOST}` });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ code: 'BAD_TOKEN' });
    expect((await post({ ...action, [DASHBOARD_TOKEN_HEADER]: 'e'.repeat(48) })).status).toBe(401);
    const otherSite = await post({ ...action, origin: 'https://evil.example' });
    expect(otherSite.status).toBe(403);
    expect(await otherSite.json()).toMatchObject({ code: 'BAD_ORIGIN' });
    expect((await post({ [DASHBOARD_TOKEN_HEADER]: TOKEN })).status).toBe(403); // no Origin at all
    expect(kills()).toBe(0);
  });

  it('answers no route to a Host that is not the dashboard (DNS rebinding)', async () => {
    const app = createDashboardApp(source().src, guard);
    const rebound = await app.request('/api/state', { headers: { host: 'evil.example:8550' } });
    expect(rebound.status).toBe(403);
    expect(await rebound.json()).toMatchObject({ code: 'BAD_HOST' });
    expect((await app.request('/', { headers: { host: 'evil.example' } })).status).toBe(403);
  });
});
