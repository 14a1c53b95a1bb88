import { completeHandshake, createOffer, handshakeMessageSchema } from '../../src/auth/handshake.js';
import type { HandshakeScheme } from '../../src/auth/handshake-scheme.js';
import { importSessionKey, signRequest } from '../../src/auth/request-signing.js';
import type { FetchLike } from '../../src/client/peer-connection.js';
import type { RaftServer } from '../../src/server/raft-server.js';

/** A fetch that calls the server's app in-process (no sockets). */
export function inProcessFetch(server: RaftServer): FetchLike {
  return async (input, init) => server.app.request(input, init);
}

/** A session opened by hand, for crafting requests (good and bad) in tests. */
export interface TestSession {
  readonly id: string;
  seq: number;
  sign(
    method: string,
    path: string,
    body: Uint8Array,
    timestamp: number,
    seq?: number,
  ): Promise<Record<string, string>>;
}

/** Runs a real handshake against `server` as `client` and returns the session. */
export async function openSession(
  server: RaftServer,
  client: HandshakeScheme,
  now: number,
): Promise<TestSession> {
  const pending = createOffer(client, server.nodeId, now);
  const res = await server.app.request('http://peer/raft/v1/handshake', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(pending.offer),
  });
  if (res.status !== 200) throw new Error(`handshake failed: ${res.status} ${await res.text()}`);
  const keys = completeHandshake(
    client,
    pending,
    handshakeMessageSchema.parse(await res.json()),
    server.nodeId,
  );
  if (typeof keys === 'string') throw new Error(keys);
  const key = await importSessionKey(keys.key);
  const session: TestSession = {
    id: keys.sessionId,
    seq: 0,
    sign: (method, path, body, timestamp, seq) =>
      signRequest(key, {
        method,
        path,
        sessionId: keys.sessionId,
        timestamp,
        seq: seq ?? ++session.seq,
        body,
      }),
  };
  return session;
}
