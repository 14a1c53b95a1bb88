import { describe, expect, it } from 'vitest';
import { createMemoryNetwork } from './memory-network.js';
import type { Message } from './types.js';
import { MessageType } from './types.js';

const msg = (from: string, to: string, index = 0): Message => ({
  type: MessageType.Heartbeat,
  from,
  to,
  term: 1,
  logTerm: 0,
  index,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  context: new Uint8Array(0),
});

async function setup() {
  const net = createMemoryNetwork();
  const got: Record<string, number[]> = { a: [], b: [], c: [] };
  const unreachable: string[] = [];
  for (const id of ['a', 'b', 'c']) {
    await net.transport(id).start({
      receive: (m) => got[id]!.push(m.index),
      reportUnreachable: (p) => unreachable.push(`${id}->${p}`),
    });
  }
  return { net, got, unreachable };
}
const flush = () => new Promise<void>((r) => queueMicrotask(r));

describe('MemoryNetwork', () => {
  it('delivers in order per link, asynchronously', async () => {
    const { net, got } = await setup();
    net.transport('a').send([msg('a', 'b', 1), msg('a', 'b', 2), msg('a', 'c', 3)]);
    expect(got.b).toEqual([]);
    await flush();
    expect(got.b).toEqual([1, 2]);
    expect(got.c).toEqual([3]);
  });

  it('cuts one way, isolates, partitions and heals', async () => {
    const { net, got } = await setup();
    net.cut('a', 'b');
    net.transport('a').send([msg('a', 'b', 1)]);
    net.transport('b').send([msg('b', 'a', 2)]);
    await flush();
    expect(got.b).toEqual([]);
    expect(got.a).toEqual([2]);
    net.heal();
    net.partition(['a'], ['b', 'c']);
    net.transport('b').send([msg('b', 'c', 3), msg('b', 'a', 4)]);
    await flush();
    expect(got.c).toEqual([3]);
    expect(got.a).toEqual([2]);
    net.heal();
    net.isolate('c');
    net.transport('a').send([msg('a', 'c', 5)]);
    await flush();
    expect(got.c).toEqual([3]);
    expect(net.stats.dropped).toBe(3);
  });

  it('reports unreachable for a closed peer', async () => {
    const { net, unreachable } = await setup();
    await net.transport('c').close();
    net.transport('a').send([msg('a', 'c')]);
    expect(unreachable).toEqual(['a->c']);
  });

  it('drops everything at drop rate 1 and applies a filter', async () => {
    const { net, got } = await setup();
    net.setDropRate(1);
    net.transport('a').send([msg('a', 'b', 1)]);
    net.heal();
    net.setFilter((m) => (m.index === 2 ? 'drop' : 'deliver'));
    net.transport('a').send([msg('a', 'b', 2), msg('a', 'b', 3)]);
    await flush();
    expect(got.b).toEqual([3]);
  });
});
