/**
 * Security cases not covered elsewhere (see docs/reliability.md for the
 * others): through the public `@avs/transport-http` client and server, a
 * non-member (even one that knows the cluster secret), a member speaking for
 * another member, and a node with the wrong secret cannot get a vote request
 * or a snapshot chunk delivered to Raft. A genuine member's are delivered
 * (the control that lets the test fail).
 */
import {
  EMPTY_CONF_STATE,
  type Message,
  MessageType,
  type NodeId,
  type TransportHandler,
} from '@avs/raft-core';
import { createRaftServer, HttpTransport, type RaftServer, sharedSecretScheme } from '@avs/transport-http';
import { afterEach, describe, expect, it } from 'vitest';

const SECRET = new Uint8Array(32).fill(7);
const domain = {
  chainId: 0,
  verifyingContract: `0x${'00'.repeat(20)}`,
  clusterId: `0x${'ab'.repeat(32)}`,
} as const;
const MEMBERS = new Set(['n1', 'n2', 'n3']);

class Recording implements TransportHandler {
  readonly received: Message[] = [];
  readonly unreachable: NodeId[] = [];
  receive(m: Message): void {
    this.received.push(m);
  }
  reportUnreachable(peer: NodeId): void {
    this.unreachable.push(peer);
  }
}

function message(type: MessageType, from: string, to: string): Message {
  return {
    type,
    from,
    to,
    term: 9,
    logTerm: 1,
    index: 1,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(),
    ...(type === MessageType.Snap
      ? {
          snapshotChunk: {
            metadata: { index: 5, term: 1, confState: { ...EMPTY_CONF_STATE, voters: ['n1', 'n2', 'n3'] } },
            totalSize: 3,
            offset: 0,
            data: new Uint8Array([1, 2, 3]),
            done: true,
          },
        }
      : {}),
  };
}

let victim: { server: RaftServer; handler: Recording } | undefined;
const transports: HttpTransport[] = [];

afterEach(async () => {
  for (const t of transports.splice(0)) await t.close();
  victim = undefined;
});

/** The victim n1: a Raft server admitting n1..n3, reached in process through `fetch`. */
function startVictim(): { server: RaftServer; handler: Recording } {
  const server = createRaftServer({
    scheme: sharedSecretScheme({ nodeId: 'n1', secret: SECRET, domain }),
    membership: { isMember: (id) => MEMBERS.has(id) },
  });
  const handler = new Recording();
  server.attach(handler);
  victim = { server, handler };
  return victim;
}

/** A sender `id` (member or not) with `secret`, whose only peer is the victim. */
function sender(id: string, secret: Uint8Array): { transport: HttpTransport; handler: Recording } {
  const server = victim?.server;
  if (!server) throw new Error('start the victim first');
  const transport = new HttpTransport({
    scheme: sharedSecretScheme({ nodeId: id, secret, domain }),
    fetch: (input, init) => Promise.resolve(server.app.fetch(new Request(input, init))),
  });
  transport.addPeer('n1', 'http://n1.test');
  transports.push(transport);
  const handler = new Recording();
  void transport.start(handler);
  return { transport, handler };
}

async function settle(check: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

const rejected = (s: RaftServer) => Object.values(s.metrics.rejected).reduce((a, b) => a + b, 0);

describe('forged or non-member Raft traffic never reaches Raft', () => {
  it("control: a member's vote request and snapshot chunk are delivered", async () => {
    const v = startVictim();
    const n2 = sender('n2', SECRET);
    n2.transport.send([message(MessageType.Vote, 'n2', 'n1'), message(MessageType.Snap, 'n2', 'n1')]);
    await settle(() => v.handler.received.length >= 2);
    expect(v.handler.received.map((m) => [m.type, m.from])).toEqual([
      [MessageType.Vote, 'n2'],
      [MessageType.Snap, 'n2'],
    ]);
  });

  it('a non-member that knows the cluster secret: vote and snapshot chunk refused', async () => {
    const v = startVictim();
    const mallory = sender('mallory', SECRET);
    mallory.transport.send([
      message(MessageType.Vote, 'mallory', 'n1'),
      message(MessageType.Snap, 'mallory', 'n1'),
    ]);
    await settle(() => mallory.handler.unreachable.length > 0 && rejected(v.server) > 0);
    expect(rejected(v.server)).toBeGreaterThan(0);
    expect(v.handler.received).toEqual([]);
  });

  it('a member forging another member as sender: vote and snapshot chunk refused', async () => {
    const v = startVictim();
    const n2 = sender('n2', SECRET);
    n2.transport.send([message(MessageType.Vote, 'n3', 'n1'), message(MessageType.Snap, 'n3', 'n1')]);
    await settle(() => rejected(v.server) >= 2 || v.handler.received.length > 0);
    // settle a little longer so a late delivery would still be seen
    await new Promise((r) => setTimeout(r, 200));
    expect(v.handler.received).toEqual([]);
    expect(rejected(v.server)).toBeGreaterThan(0);
  });

  it('a member id with the wrong secret: refused at the handshake', async () => {
    const v = startVictim();
    const impostor = sender('n2', new Uint8Array(32).fill(8));
    impostor.transport.send([message(MessageType.Vote, 'n2', 'n1'), message(MessageType.Snap, 'n2', 'n1')]);
    await settle(() => impostor.handler.unreachable.length > 0 && rejected(v.server) > 0);
    expect(rejected(v.server)).toBeGreaterThan(0);
    expect(v.handler.received).toEqual([]);
  });
});
