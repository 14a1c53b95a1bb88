/**
 * The integration scenario every runtime runs (Node through vitest, Bun and
 * Deno through `run-cluster.ts` in a child process): a 3-node RaftNode cluster
 * over real, authenticated HTTP on 127.0.0.1 elects a leader, replicates,
 * survives the leader's server being stopped (the others elect a new leader;
 * the old one steps down), and installs a snapshot, sent in several chunks, on
 * the old leader when its server comes back and it lags behind. Runtime-neutral: the
 * runtime-specific part is `serve`. Throws with a message saying which step failed.
 */
import {
  type Entry,
  MemoryStorage,
  type NodeId,
  NotLeaderError,
  ProposalDroppedError,
  RaftNode,
  type StateMachine,
} from '@avs/raft-core';
import type { Served, ServeFn } from '../../src/adapters/served.js';
import { type HandshakeScheme, operatorKeyScheme } from '../../src/auth/handshake-scheme.js';
import { HttpTransport } from '../../src/client/http-transport.js';
import { createRaftServer, type RaftServer } from '../../src/server/raft-server.js';

/** What the scenario observed. */
export interface ScenarioResult {
  readonly firstLeader: NodeId;
  readonly secondLeader: NodeId;
  readonly entries: number;
  readonly snapshotChunksSent: number;
  readonly snapshotPartsReceived: number;
  readonly restoredFromSnapshot: number;
  readonly rejectedRequests: number;
}

const domain = {
  chainId: 31337,
  verifyingContract: `0x${'c0'.repeat(20)}`,
  clusterId: `0x${'5c'.repeat(32)}`,
};
const PAYLOAD = 600;

/** Appends every entry; its snapshot is all entries, length-prefixed. */
class LogMachine implements StateMachine<number> {
  items: Uint8Array[] = [];
  restores = 0;

  apply(entries: readonly Entry[]): number[] {
    return entries.map((e) => this.items.push(e.data));
  }

  snapshot(): Uint8Array {
    let size = 4;
    for (const it of this.items) size += 4 + it.length;
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.items.length);
    let at = 4;
    for (const it of this.items) {
      view.setUint32(at, it.length);
      out.set(it, at + 4);
      at += 4 + it.length;
    }
    return out;
  }

  restore(data: Uint8Array): void {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const n = view.getUint32(0);
    const items: Uint8Array[] = [];
    let at = 4;
    for (let i = 0; i < n; i++) {
      const len = view.getUint32(at);
      items.push(data.slice(at + 4, at + 4 + len));
      at += 4 + len;
    }
    this.items = items;
    this.restores++;
  }

  digest(): string {
    return this.items.map((it) => `${it.length}:${it[0]}:${it[it.length - 1]}`).join(',');
  }
}

interface Member {
  readonly scheme: HandshakeScheme;
  readonly storage: MemoryStorage;
  sm: LogMachine;
  server: RaftServer;
  transport: HttpTransport;
  node: RaftNode<number> | undefined;
  served: Served | undefined;
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  if ((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.AVS_DEBUG)
    console.log(`${what}: ${Date.now() - t0} ms`);
}

function payload(i: number): Uint8Array {
  return new Uint8Array(PAYLOAD).fill(i % 251);
}

/** Runs the scenario; stops every node and server it started, also on failure. */
export async function runClusterScenario(serve: ServeFn): Promise<ScenarioResult> {
  const schemes = [11, 12, 13].map((n) =>
    operatorKeyScheme({ privateKey: new Uint8Array(32).fill(n), domain }),
  );
  const ids = schemes.map((s) => s.nodeId);
  const membership = { isMember: (id: NodeId) => ids.includes(id) };
  const members: Member[] = [];

  function makeMember(scheme: HandshakeScheme, storage: MemoryStorage): Member {
    const member = { scheme, storage, sm: new LogMachine() } as Member;
    member.server = createRaftServer({
      scheme,
      membership,
      status: () => ({ raft: member.node?.status().role }),
    });
    member.transport = new HttpTransport({
      scheme,
      server: member.server,
      retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 200 },
      requestTimeoutMs: 2000,
      snapshotPartBytes: 4096,
    });
    return member;
  }

  async function startMember(m: Member): Promise<void> {
    m.served = await serve(m.server.fetch);
    m.node = await RaftNode.start<number>({
      id: m.scheme.nodeId,
      storage: m.storage,
      transport: m.transport,
      stateMachine: m.sm,
      bootstrap: { voters: ids },
      config: {
        // Election timeout 400-800 ms: long enough that a busy 2-core CI machine does not depose leaders.
        tickMs: 40,
        electionTick: 10,
        heartbeatTick: 2,
        snapshotEntries: 40,
        snapshotTrailingEntries: 5,
        maxSnapshotChunkBytes: 16 * 1024,
      },
    });
  }

  async function stopMember(m: Member): Promise<void> {
    await m.node?.close();
    await m.transport.close();
    await m.served?.close();
    m.node = undefined;
    m.served = undefined;
  }

  function connectAll(): void {
    for (const m of members) {
      for (const other of members) {
        if (other !== m && other.served) m.transport.addPeer(other.scheme.nodeId, other.served.url);
      }
    }
  }

  /**
   * Proposes entries `[from, to)` through the current leader of `ms`, asking the
   * new leader again if leadership moves meanwhile (as any client of Raft would).
   */
  async function proposeAll(ms: Member[], from: number, to: number): Promise<Member> {
    let leader = leaderOf(ms);
    for (let i = from; i < to; ) {
      if (!leader) {
        await waitFor(() => leaderOf(ms) !== undefined, 15_000, 'a leader is known again');
        leader = leaderOf(ms)!;
      }
      try {
        await leader.node!.propose(payload(i));
        i++;
      } catch (error) {
        // Retry only what certainly did not commit; anything else fails the scenario.
        if (!(error instanceof NotLeaderError || error instanceof ProposalDroppedError)) throw error;
        leader = undefined;
      }
    }
    return leader!;
  }

  const leaderOf = (ms: Member[]) => {
    const leaders = ms.filter((m) => m.node?.status().role === 'leader');
    const agreed = ms.every((m) => m.node?.status().leader === leaders[0]?.scheme.nodeId);
    return leaders.length === 1 && agreed ? leaders[0] : undefined;
  };

  try {
    for (const s of schemes) members.push(makeMember(s, new MemoryStorage()));
    for (const m of members) await startMember(m);
    connectAll();

    // 1. Elect a leader.
    await waitFor(
      () => leaderOf(members) !== undefined,
      15_000,
      'a leader is elected and known to all three nodes',
    );
    const first = leaderOf(members)!;

    // 2. Replicate.
    await proposeAll(members, 0, 20);
    await waitFor(
      () => members.every((m) => m.sm.items.length === 20),
      10_000,
      'all three nodes applied 20 entries',
    );

    // 3. Stop the leader's HTTP server (its node keeps running and can still send):
    // it hears no answers, steps down (check-quorum), and the other two elect a new leader.
    await first.served!.close();
    first.served = undefined;
    const rest = members.filter((m) => m !== first);
    await waitFor(() => leaderOf(rest) !== undefined, 15_000, 'the two other nodes elect a new leader');
    await waitFor(() => first.node!.status().role !== 'leader', 15_000, 'the cut-off leader steps down');
    const second = await proposeAll(rest, 20, 120);
    await waitFor(
      () => rest.every((m) => m.sm.items.length === 120),
      10_000,
      'the two other nodes applied 120 entries',
    );

    // 4. Serve the old leader again (on a new port, so peers learn the new URL). It lags
    // behind the new leader's compaction point, so it must install a snapshot, sent in several chunks.
    const chunksBefore = second.transport.metrics.sent.snapshots;
    first.served = await serve(first.server.fetch);
    connectAll();
    await waitFor(() => first.sm.items.length === 120, 20_000, 'the lagging node caught up to 120 entries');
    if (first.sm.digest() !== second.sm.digest())
      throw new Error('the lagging node state differs from the leader');
    const snapshotChunksSent = second.transport.metrics.sent.snapshots - chunksBefore;
    if (first.sm.restores < 1) throw new Error('the lagging node caught up without installing a snapshot');
    if (snapshotChunksSent < 2)
      throw new Error(`the snapshot went in ${snapshotChunksSent} chunk(s), expected several`);

    return {
      firstLeader: first.scheme.nodeId,
      secondLeader: second.scheme.nodeId,
      entries: first.sm.items.length,
      snapshotChunksSent,
      snapshotPartsReceived: first.server.metrics.received.snapshotParts,
      restoredFromSnapshot: first.sm.restores,
      rejectedRequests: members.reduce((n, m) => n + m.server.metrics.rejectedTotal, 0),
    };
  } finally {
    for (const m of members) await stopMember(m).catch(() => {});
  }
}
