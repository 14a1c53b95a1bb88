import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  canListen,
  FREE_PORT_RANGE,
  findFreePort,
  findFreePortBlock,
  isAddressInUse,
  NoFreePortError,
} from './node-ports.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

function occupy(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    servers.push(s);
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve());
  });
}

/** A "random" source that returns the given values in turn, then repeats the last. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
};

describe('findFreePort', () => {
  it('picks ports below the ephemeral range, distinct from the ones already taken', async () => {
    const taken = new Set<number>();
    const ports = [await findFreePort(taken), await findFreePort(taken), await findFreePort(taken)];
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(FREE_PORT_RANGE.from);
      expect(p).toBeLessThan(32_768);
    }
    expect([...taken].sort()).toEqual([...ports].sort());
  });

  it('skips a port that is in use', async () => {
    const busy = await findFreePort();
    await occupy(busy);
    expect(await canListen(busy)).toBe(false);
    const offset = (busy - FREE_PORT_RANGE.from) / (FREE_PORT_RANGE.to - FREE_PORT_RANGE.from);
    // The first pick lands on the busy port, the second elsewhere.
    const port = await findFreePort(new Set(), sequence(offset, offset, 0.999_9));
    expect(port).not.toBe(busy);
  });

  it('gives up with NO_FREE_PORT when every pick is taken', async () => {
    const taken = new Set([FREE_PORT_RANGE.from]);
    await expect(findFreePort(taken, () => 0)).rejects.toBeInstanceOf(NoFreePortError);
  });
});

describe('findFreePortBlock', () => {
  it('finds a base whose every offset is free and inside the range', async () => {
    const offsets = [1, 2, 3, 101, 102, 103];
    const base = await findFreePortBlock(offsets);
    for (const o of offsets) {
      expect(base + o).toBeLessThan(FREE_PORT_RANGE.to);
      expect(await canListen(base + o)).toBe(true);
    }
  });

  it('moves past a block with one port in use', async () => {
    const first = await findFreePortBlock([0, 5]);
    await occupy(first + 5);
    const width = 6;
    const slot = (first - FREE_PORT_RANGE.from) / width;
    const bases = Math.floor((FREE_PORT_RANGE.to - FREE_PORT_RANGE.from - width) / width);
    const at = (slot + 0.5) / bases;
    const next = await findFreePortBlock([0, 5], sequence(at, at, 0.999));
    expect(next).not.toBe(first);
  });
});

describe('isAddressInUse', () => {
  it('recognises EADDRINUSE by code, message or cause', () => {
    expect(isAddressInUse(Object.assign(new Error('listen'), { code: 'EADDRINUSE' }))).toBe(true);
    expect(
      isAddressInUse(new Error('n2 exited: listen EADDRINUSE: address already in use 127.0.0.1:20101')),
    ).toBe(true);
    expect(isAddressInUse(new Error('start failed', { cause: { code: 'EADDRINUSE' } }))).toBe(true);
    expect(isAddressInUse(new Error('ECONNREFUSED'))).toBe(false);
    expect(isAddressInUse(undefined)).toBe(false);
  });
});
