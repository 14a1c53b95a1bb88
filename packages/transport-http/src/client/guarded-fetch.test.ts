import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeat } from '../../test/support/arbitraries.js';
import { operator } from '../../test/support/nodes.js';
import { createDnsResolver } from '../adapters/dns-resolver.js';
import { EndpointError } from '../errors.js';
import { checkResolvedEndpoint, type HostResolver } from './endpoint-policy.js';
import { guardFetch } from './guarded-fetch.js';
import { HttpTransport } from './http-transport.js';
import type { FetchLike } from './peer-connection.js';

// `peer.test` is an alias (like a CNAME) of `localhost`, resolved by the real system resolver to 127.0.0.1.
const system = createDnsResolver();
const aliasing: HostResolver = (host) => system(host === 'peer.test' ? 'localhost' : host);

let server: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  server = createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('an endpoint policy with a resolver', () => {
  it('refuses a DNS name that resolves to a loopback address, and dials nothing', async () => {
    let dialled = 0;
    const counting: FetchLike = (input, init) => {
      dialled++;
      return fetch(input, init);
    };
    const guarded = guardFetch(counting, { resolve: aliasing });
    const before = hits;
    const refused = await guarded(`http://peer.test:${port}/x`, {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(EndpointError);
    expect((refused as EndpointError).code).toBe('INVALID_ENDPOINT');
    expect((refused as Error).message).toContain('peer.test (127.0.0.1) is a loopback address');
    expect(dialled).toBe(0);
    expect(hits).toBe(before);
  });

  it('HttpTransport with the policy: a peer at that name is reported unreachable and never dialled', async () => {
    const [alice, bob] = [operator(1), operator(2)];
    let dialled = 0;
    const transport = new HttpTransport({
      scheme: alice,
      endpoints: { resolve: aliasing },
      retry: { attempts: 1 },
      fetch: (input, init) => {
        dialled++;
        return fetch(input, init);
      },
    });
    const unreachable = new Promise<string>((resolve) =>
      transport.start({ receive: () => {}, reportUnreachable: resolve }),
    );
    // The name passes the literal check at addPeer; its resolution is checked at the dial.
    transport.addPeer(bob.nodeId, `http://peer.test:${port}`);
    const before = hits;
    transport.send([heartbeat(alice.nodeId, bob.nodeId, 1)]);
    expect(await unreachable).toBe(bob.nodeId);
    await transport.close();
    expect(dialled).toBe(0);
    expect(hits).toBe(before);
  });

  it('dials it where the policy allows loopback (the devnet)', async () => {
    // The real fetch cannot resolve the alias: check the name, then dial the address it resolved to.
    await checkResolvedEndpoint(`http://peer.test:${port}`, { allowLoopback: true, resolve: aliasing });
    const guarded = guardFetch((input, init) => fetch(input, init), {
      allowLoopback: true,
      resolve: aliasing,
    });
    const res = await guarded(`http://127.0.0.1:${port}/x`, {});
    expect(await res.text()).toBe('ok');
  });

  it('refuses private addresses among several, and a name that does not resolve', async () => {
    const mixed: HostResolver = async () => ['8.8.8.8', '10.0.0.7'];
    await expect(checkResolvedEndpoint('http://op.example.org', { resolve: mixed })).rejects.toThrow(
      /op\.example\.org \(10\.0\.0\.7\) is a private/,
    );
    await expect(
      checkResolvedEndpoint('http://op.example.org', { resolve: async () => ['8.8.8.8'] }),
    ).resolves.toBe(undefined);
    await expect(checkResolvedEndpoint('http://nowhere.invalid', { resolve: system })).rejects.toThrow(
      'endpoint nowhere.invalid does not resolve',
    );
  });

  it('without a resolver (workerd, edge) only the literal is checked: the fetch is used as it is', () => {
    const plain: FetchLike = (input, init) => fetch(input, init);
    expect(guardFetch(plain, {})).toBe(plain);
    expect(guardFetch(plain, undefined)).toBe(plain);
  });

  it('`localhost.` (fully qualified) is loopback by its literal too', async () => {
    await expect(checkResolvedEndpoint(`http://localhost.:${port}`, {})).rejects.toThrow(/loopback/);
  });
});

describe('createDnsResolver', () => {
  it('resolves with the system resolver and keeps the answer for its ttl', async () => {
    let t = 0;
    const resolver = createDnsResolver({ ttlMs: 1_000, now: () => t });
    const first = resolver('localhost');
    expect(await first).toContain('127.0.0.1');
    expect(resolver('LOCALHOST')).toBe(first);
    t = 1_000;
    expect(resolver('localhost')).not.toBe(first);
  });
});
