import { describe, expect, it } from 'vitest';
import { type DevnetSnapshot, DevnetState } from '../devnet/devnet-state.js';
import { createDashboardApp } from './dashboard-server.js';

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
    const app = createDashboardApp(source().src);
    const res = await app.request('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>AVS devnet</title>');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('answers the state as JSON and streams it as server-sent events', async () => {
    const { src } = source();
    const app = createDashboardApp(src, 10);
    const state = (await (await app.request('/api/state')).json()) as DevnetSnapshot;
    expect(state.totals).toMatchObject({ created: 1, answered: 1, verified: 1 });
    expect(state.tasks[0]).toMatchObject({ taskIndex: 0, status: 'verified', result: '3 → 9' });
    const controller = new AbortController();
    const res = await app.request('/api/events', { signal: controller.signal });
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
    const app = createDashboardApp(source().src);
    expect(await (await app.request('/api/chaos/kill-leader', { method: 'POST' })).json()).toEqual({
      killed: 'op-0',
    });
    const second = await app.request('/api/chaos/kill-leader', { method: 'POST' });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: 'NO_LEADER' });
  });
});
