/**
 * The operator's task-intake and status routes over real HTTP on 127.0.0.1
 * (issue #17, item 5): no caller, no answer; an oversized body is refused on
 * its declared length, before it is read.
 */
import { request } from 'node:http';
import { createRaftServer, HttpTransport, operatorKeyScheme, type RaftServer } from '@avs/transport-http';
import { type Served, serveNode } from '@avs/transport-http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountOperatorRoutes, type SubmitTasks } from './operator-routes.js';

const domain = {
  chainId: 31337,
  verifyingContract: `0x${'c0'.repeat(20)}`,
  clusterId: `0x${'1d'.repeat(32)}`,
};
const me = operatorKeyScheme({ privateKey: new Uint8Array(32).fill(1), domain });
const member = operatorKeyScheme({ privateKey: new Uint8Array(32).fill(2), domain });
const TOKEN = 'a'.repeat(64);
const submitted: SubmitTasks[] = [];
let server: RaftServer;
let served: Served;
let memberTransport: HttpTransport;

beforeAll(async () => {
  server = createRaftServer({ scheme: me, membership: { isMember: (id) => id === member.nodeId } });
  mountOperatorRoutes(server, {
    apiToken: TOKEN,
    maxTaskBodyBytes: 64 * 1024,
    status: () => ({ term: 3, commit: 7, voters: [me.nodeId] }),
    async submitTasks(req) {
      submitted.push(req);
      return { status: 200, body: { status: 'accepted' } };
    },
  });
  served = await serveNode(server.fetch);
  memberTransport = new HttpTransport({ scheme: member });
  memberTransport.addPeer(me.nodeId, served.url);
});

afterAll(async () => {
  await memberTransport?.close();
  await served?.close();
});

const tasks = JSON.stringify({ tasks: [{ taskIndex: 0, payload: { kind: 'square', number: '3' } }] });

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${served.url}${path}`, init);
  return { status: res.status, body: await res.json() };
}

/** Sends a body of `size` bytes in 1 MiB chunks, stopping as soon as the answer arrives. */
function sendLarge(size: number, headers: Record<string, string>): Promise<{ status: number; sent: number }> {
  const { hostname, port } = new URL(served.url);
  const chunk = Buffer.alloc(1024 * 1024, 0x20);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      {
        host: hostname,
        port,
        method: 'POST',
        path: '/avs/v1/tasks',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': size },
      },
      (res) => {
        answered = true;
        res.resume();
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, sent });
        });
      },
    );
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const write = () => {
      while (!answered && sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      if (!answered) req.end();
    };
    write();
  });
}

describe('POST /avs/v1/tasks', () => {
  it('refuses a caller without a session or the API token (401), and a wrong token', async () => {
    const none = await call('/avs/v1/tasks', { method: 'POST', body: tasks });
    expect(none).toMatchObject({ status: 401, body: { code: 'UNSIGNED' } });
    const wrong = await call('/avs/v1/tasks', {
      method: 'POST',
      body: tasks,
      headers: { authorization: `Bearer ${'b'.repeat(64)}` },
    });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'BAD_TOKEN' } });
    expect(submitted).toEqual([]);
  });

  it('takes tasks from the task generator’s token and from a member’s session', async () => {
    const res = await call('/avs/v1/tasks', {
      method: 'POST',
      body: tasks,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    expect(res).toEqual({ status: 200, body: { status: 'accepted' } });
    const viaSession = await memberTransport.request(me.nodeId, {
      method: 'POST',
      path: '/avs/v1/tasks',
      body: new TextEncoder().encode(tasks),
    });
    expect(viaSession.status).toBe(200);
    expect(submitted).toHaveLength(2);
  });

  it('answers a 100 MiB body with 413 before reading it, without growing memory', async () => {
    const before = process.memoryUsage().rss;
    const withToken = await sendLarge(100 * 1024 * 1024, { authorization: `Bearer ${TOKEN}` });
    expect(withToken.status).toBe(413);
    const withoutAuth = await sendLarge(100 * 1024 * 1024, {});
    expect(withoutAuth.status).toBe(401);
    // Far less than one such body (main read all of it: +225 MiB RSS for 96 MiB).
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
    expect(server.metrics.rejected.BODY_TOO_LARGE).toBe(1);
  });
});

describe('GET /avs/v1/status', () => {
  it('shows term, commit and members only to a session or the token; /health stays open', async () => {
    expect(await call('/avs/v1/status')).toMatchObject({ status: 401, body: { code: 'UNSIGNED' } });
    const token = await call('/avs/v1/status', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(token).toEqual({ status: 200, body: { term: 3, commit: 7, voters: [me.nodeId] } });
    const viaSession = await memberTransport.request(me.nodeId, { method: 'GET', path: '/avs/v1/status' });
    expect(await viaSession.json()).toMatchObject({ commit: 7 });
    expect(await call('/health')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('refuses a non-member operator’s session', async () => {
    const stranger = operatorKeyScheme({ privateKey: new Uint8Array(32).fill(9), domain });
    const t = new HttpTransport({ scheme: stranger });
    t.addPeer(me.nodeId, served.url);
    await expect(t.request(me.nodeId, { method: 'GET', path: '/avs/v1/status' })).rejects.toMatchObject({
      code: 'HANDSHAKE_FAILED',
    });
    await t.close();
  });
});
