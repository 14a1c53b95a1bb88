/**
 * Free TCP ports on 127.0.0.1 for servers started in another process (test clusters, the devnet's
 * operators, the chaos and benchmark harnesses): the one helper the repository uses.
 *
 * Ports are picked BELOW Linux's ephemeral range (32768+). `listen(0)` hands out a port from that
 * range, and so does every outgoing connection and `listen(0)` proxy of any process on the machine:
 * between the check here and the child's bind, such a port can be taken (EADDRINUSE). Below the range
 * only another harness picking the same way can race, so callers that start processes still retry a
 * start that failed with EADDRINUSE with fresh ports.
 */
import { createServer } from 'node:net';
import { TransportError } from '../errors.js';

/** Where ports are picked: `[from, to)`, below the ephemeral range. */
export const FREE_PORT_RANGE = { from: 20_000, to: 32_000 } as const;

const TRIES = 200;

/** Whether a server could listen on `port` at 127.0.0.1 just now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Thrown when no free port (or block of ports) was found. */
export class NoFreePortError extends TransportError {
  override readonly name = 'NoFreePortError';
  constructor(message: string) {
    super('NO_FREE_PORT', message);
  }
}

/**
 * A port in {@link FREE_PORT_RANGE} that was free a moment ago and is not in `taken` (which it joins).
 * @param taken ports already handed out to the caller's other servers
 * @param random uniform numbers in [0, 1); default `Math.random`
 * @throws NoFreePortError after 200 tries
 */
export async function findFreePort(
  taken: Set<number> = new Set(),
  random: () => number = Math.random,
): Promise<number> {
  const span = FREE_PORT_RANGE.to - FREE_PORT_RANGE.from;
  for (let i = 0; i < TRIES; i++) {
    const port = FREE_PORT_RANGE.from + Math.floor(random() * span);
    if (taken.has(port)) continue;
    taken.add(port); // before the await: concurrent callers sharing `taken` never get the same port
    if (await canListen(port)) return port;
    taken.delete(port);
  }
  throw new NoFreePortError(
    `found no free port in ${FREE_PORT_RANGE.from}-${FREE_PORT_RANGE.to - 1} after ${TRIES} tries`,
  );
}

/**
 * A base port such that `base + offset` is free for every offset (a cluster laid out by offsets),
 * with every such port inside {@link FREE_PORT_RANGE}.
 * @param offsets non-negative offsets from the base
 * @param random uniform numbers in [0, 1); default `Math.random` (a seeded one makes runs repeatable)
 * @throws NoFreePortError after 50 tries
 */
export async function findFreePortBlock(
  offsets: readonly number[],
  random: () => number = Math.random,
): Promise<number> {
  const width = Math.max(0, ...offsets) + 1;
  const bases = Math.floor((FREE_PORT_RANGE.to - FREE_PORT_RANGE.from - width) / width);
  if (bases < 1) throw new NoFreePortError(`a block ${width} ports wide does not fit in the range`);
  for (let i = 0; i < 50; i++) {
    const base = FREE_PORT_RANGE.from + Math.floor(random() * bases) * width;
    if ((await Promise.all(offsets.map((o) => canListen(base + o)))).every(Boolean)) return base;
  }
  throw new NoFreePortError(`no block of ${offsets.length} free ports found on 127.0.0.1`);
}

/** Whether `error` (or its cause) is a failed bind because the address is taken. */
export function isAddressInUse(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (code === 'EADDRINUSE' || (typeof message === 'string' && message.includes('EADDRINUSE'))) return true;
    e = cause;
  }
  return false;
}
