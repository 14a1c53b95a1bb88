/**
 * Real sockets on 127.0.0.1 with the Node adapter: plain HTTP with the global
 * fetch, and HTTPS with a self-signed certificate made by the openssl CLI and
 * trusted through the pooled undici fetch.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveNode } from '../src/adapters/node.js';
import { createPooledFetch } from '../src/adapters/node-fetch.js';
import { HttpTransport } from '../src/client/http-transport.js';
import { createRaftServer } from '../src/server/raft-server.js';
import { heartbeat } from './support/arbitraries.js';
import { operator, RecordingHandler, until } from './support/nodes.js';

const alice = operator(1);
const bob = operator(2);
const membership = { isMember: (id: string) => id === alice.nodeId || id === bob.nodeId };
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function pair(tls?: { key: string; cert: string }) {
  const server = createRaftServer({ scheme: bob, membership });
  const handler = new RecordingHandler();
  const receiver = new HttpTransport({ scheme: bob, server });
  await receiver.start(handler);
  const served = await serveNode(server.fetch, tls ? { tls } : {});
  cleanups.push(
    () => receiver.close(),
    () => served.close(),
  );
  return { served, handler, server };
}

describe('Node adapter over real sockets', () => {
  it('serves HTTP on 127.0.0.1 and a transport delivers to it', async () => {
    const { served, handler } = await pair();
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${served.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const unsigned = await fetch(`${served.url}/raft/v1/messages`, { method: 'POST', body: 'x' });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'UNSIGNED' });

    const sender = new HttpTransport({ scheme: alice });
    cleanups.push(() => sender.close());
    await sender.start(new RecordingHandler());
    sender.addPeer(bob.nodeId, served.url);
    const messages = Array.from({ length: 500 }, (_, i) => heartbeat(alice.nodeId, bob.nodeId, 2, i));
    sender.send(messages);
    await until(() => handler.received.length === 500);
    expect(handler.received).toEqual(messages);
  });

  it('the pooled fetch delivers in order, reads error answers and keeps a replayed request refused', async () => {
    const { served, handler } = await pair();
    const pooled = createPooledFetch();
    cleanups.push(() => pooled.close());
    // Answers of every kind come back as standard Responses.
    const health = await pooled.fetch(`${served.url}/health`, { method: 'GET' });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const unsigned = await pooled.fetch(`${served.url}/raft/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ code: 'UNSIGNED' });

    // A request signed by the transport, captured on its way and sent again, is refused.
    let captured: { input: string; init: RequestInit } | undefined;
    const capturing = async (input: string, init: RequestInit) => {
      if (input.endsWith('/raft/v1/messages') && !captured) captured = { input, init };
      return pooled.fetch(input, init);
    };
    const sender = new HttpTransport({ scheme: alice, fetch: capturing });
    cleanups.push(() => sender.close());
    await sender.start(new RecordingHandler());
    sender.addPeer(bob.nodeId, served.url);
    const messages = Array.from({ length: 300 }, (_, i) => heartbeat(alice.nodeId, bob.nodeId, 2, i));
    for (const m of messages) sender.send([m]);
    await until(() => handler.received.length === 300);
    expect(handler.received).toEqual(messages);
    expect(captured).toBeDefined();
    const replay = await pooled.fetch(captured!.input, captured!.init);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ code: 'REPLAYED' });
    expect(handler.received.length).toBe(300);
  });

  describe('HTTPS', () => {
    let dir = '';
    let tls = { key: '', cert: '' };

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'avs-tls-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ],
        { stdio: 'ignore' },
      );
      tls = {
        key: readFileSync(join(dir, 'key.pem'), 'utf8'),
        cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      };
    });

    it('delivers over HTTPS when the client trusts the certificate, and fails (reported) when it does not', async () => {
      const { served, handler } = await pair(tls);
      expect(served.url).toMatch(/^https:/);

      const pooled = createPooledFetch({ ca: tls.cert });
      const sender = new HttpTransport({ scheme: alice, fetch: pooled.fetch });
      cleanups.push(
        () => pooled.close(),
        () => sender.close(),
      );
      await sender.start(new RecordingHandler());
      sender.addPeer(bob.nodeId, served.url);
      sender.send([heartbeat(alice.nodeId, bob.nodeId, 1, 7)]);
      await until(() => handler.received.length === 1);
      expect(handler.received[0]?.commit).toBe(7);

      const untrusting = createPooledFetch();
      const stranger = new HttpTransport({ scheme: alice, fetch: untrusting.fetch, retry: { attempts: 1 } });
      cleanups.push(
        () => untrusting.close(),
        () => stranger.close(),
      );
      const strangerHandler = new RecordingHandler();
      await stranger.start(strangerHandler);
      stranger.addPeer(bob.nodeId, served.url);
      stranger.send([heartbeat(alice.nodeId, bob.nodeId, 1, 8)]);
      await until(() => strangerHandler.unreachable.length === 1);
      expect(handler.received).toHaveLength(1);
    });
  });
});
