/**
 * The alarm brings a member back on its own. A one-member cluster in workerd
 * (Miniflare 4), so no peer traffic can wake it: the object is aborted
 * (memory lost, storage and alarm kept) and nothing but its alarm may start
 * its node again. `/admin/probe` answers without starting the node.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startEdgeKv } from './edge-kv-workerd.js';

const kv = await startEdgeKv({ MEMBERS: 'solo' });
afterAll(() => kv.dispose());

async function probe(): Promise<{ running: boolean; role: string | null }> {
  return (await (await fetch(`${kv.url}/admin/probe?member=solo`)).json()) as {
    running: boolean;
    role: string | null;
  };
}

describe('AlarmClock in a Durable Object', () => {
  it('an aborted member is restarted by its alarm, with no request, and resumes its log', async () => {
    expect((await fetch(`${kv.url}/kv/a`, { method: 'PUT', body: '1' })).status).toBe(200);
    expect(await probe()).toEqual({ running: true, role: 'leader' });

    expect((await fetch(`${kv.url}/admin/reset?member=solo`, { method: 'POST' })).status).toBe(200);
    let state = await probe();
    // Right after the abort the new instance has no node: only the alarm can start one.
    for (let i = 0; i < 400 && state.role !== 'leader'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      state = await probe();
    }
    expect(state).toEqual({ running: true, role: 'leader' });
    expect(await (await fetch(`${kv.url}/kv/a`)).json()).toEqual({ value: '1' });
  });
});
