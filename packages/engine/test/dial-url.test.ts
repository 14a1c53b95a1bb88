/**
 * `dialUrl` of the HTTP engine transport over real HTTP on 127.0.0.1: a peer
 * registered at an address nobody listens on is reached at the address the
 * option maps it to (NAT, docker, a proxy), for the join call and for signed
 * engine calls to a member.
 */
import { operatorKeyScheme } from '@avs/transport-http';
import { type Served, serveNode } from '@avs/transport-http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpEngineTransport, JoinRefusedError, PeerCallError } from '../src/index.js';
import { ecdsaKeyOf } from './support/cluster.js';
import { addressOfKey } from './support/test-keys.js';

const domain = {
  chainId: 31337,
  verifyingContract: `0x${'11'.repeat(20)}`,
  clusterId: `0x${'cd'.repeat(32)}`,
};
/** Where the peer registered: port 9 on 127.0.0.1 (discard), where nothing answers HTTP. */
const REGISTERED = 'http://127.0.0.1:9';
let served: Served;
let dialled: string[];
const serverKey = ecdsaKeyOf(21);
const serverId = addressOfKey(serverKey);

beforeAll(async () => {
  const transport = createHttpEngineTransport({
    scheme: operatorKeyScheme({ privateKey: serverKey, domain }),
  });
  transport.serve({
    join: () => Promise.reject(new JoinRefusedError('MALFORMED', 'expected a signed join request')),
    submitResponses: () => Promise.reject(new JoinRefusedError('UNAVAILABLE', 'not the leader')),
    status: () => ({}),
    isPeerAllowed: () => true,
  });
  served = await serveNode(transport.fetch, { hostname: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await served?.close();
});

function client(mapped: boolean) {
  dialled = [];
  return createHttpEngineTransport({
    scheme: operatorKeyScheme({ privateKey: ecdsaKeyOf(22), domain }),
    client: { requestTimeoutMs: 2_000 },
    ...(mapped
      ? {
          dialUrl: (url: string) => {
            dialled.push(url);
            return url.startsWith(REGISTERED) ? served.url + url.slice(REGISTERED.length) : url;
          },
        }
      : {}),
  });
}

describe('HttpEngineTransport dialUrl', () => {
  it('the join call goes to the mapped address (its answer comes back)', async () => {
    const t = client(true);
    await expect(t.client.join(REGISTERED, { not: 'a join' } as never, 2_000)).rejects.toMatchObject({
      code: 'JOIN_MALFORMED',
    });
    expect(dialled).toEqual([REGISTERED]);
  });

  it('signed calls to a member go to the mapped address of its raftUrl', async () => {
    const t = client(true);
    t.setPeer({ id: serverId, operatorId: `0x${'ab'.repeat(32)}`, httpUrl: REGISTERED, raftUrl: REGISTERED });
    const call = t.client.submitResponses(
      { id: serverId, httpUrl: REGISTERED },
      { any: 'body' } as never,
      2_000,
    );
    await expect(call).rejects.toMatchObject({ code: 'JOIN_UNAVAILABLE' });
    expect(dialled).toContain(REGISTERED);
    await t.close();
  });

  it('without dialUrl the registered address is dialled (and does not answer)', async () => {
    const t = client(false);
    await expect(t.client.join(REGISTERED, { not: 'a join' } as never, 2_000)).rejects.toBeInstanceOf(
      PeerCallError,
    );
  });
});
