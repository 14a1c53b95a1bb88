import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.js';

let echo: Server | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
  echo = undefined;
});

async function startEcho(): Promise<number> {
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo?.listen(0, '127.0.0.1', () => r()));
  const a = echo.address();
  return typeof a === 'object' && a ? a.port : 0;
}

async function proxyTo(port: number, random = () => 0.5): Promise<FaultProxy> {
  const p = await FaultProxy.start(port, random);
  closers.push(() => p.close());
  return p;
}

function client(port: number): Promise<{ socket: Socket; received: () => string; closed: () => boolean }> {
  return new Promise((resolve) => {
    let data = '';
    let closed = false;
    const socket = connect(port, '127.0.0.1', () =>
      resolve({ socket, received: () => data, closed: () => closed }),
    );
    socket.on('data', (d) => {
      data += d.toString();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
    });
    closers.push(async () => {
      socket.destroy();
    });
  });
}

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('FaultProxy', () => {
  it('forwards both ways when healthy, and in order with a delay', async () => {
    const p = await proxyTo(await startEcho());
    const c = await client(p.port);
    c.socket.write('hello');
    await until(() => c.received() === 'hello');
    p.set({ delayMs: 30 });
    c.socket.write('a');
    c.socket.write('b');
    c.socket.write('c');
    await until(() => c.received() === 'helloabc');
  });

  it('swallows traffic during a partition and resets those connections on heal', async () => {
    const p = await proxyTo(await startEcho());
    const c = await client(p.port);
    p.set({ blocked: true });
    c.socket.write('lost');
    const late = await client(p.port);
    late.socket.write('also lost');
    await new Promise((r) => setTimeout(r, 100));
    expect(c.received()).toBe('');
    expect(late.received()).toBe('');
    expect(c.closed()).toBe(false); // a black hole, not a reset
    p.heal();
    await until(() => c.closed() && late.closed());
    const fresh = await client(p.port);
    fresh.socket.write('back');
    await until(() => fresh.received() === 'back');
  });

  it('loses a chunk by resetting its connection', async () => {
    const p = await proxyTo(await startEcho(), () => 0);
    p.set({ lossRate: 0.5 });
    const c = await client(p.port);
    c.socket.write('x');
    await until(() => c.closed());
    expect(c.received()).toBe('');
    expect(p.lost).toBe(1);
  });
});
