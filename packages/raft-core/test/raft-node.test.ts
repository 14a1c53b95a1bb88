import { describe, expect, it } from 'vitest';
import { NodeStoppedError, NotLeaderError, StorageFatalError } from '../src/errors.js';
import { createMemoryNetwork, type MemoryNetwork } from '../src/memory-network.js';
import { MemoryStorage } from '../src/memory-storage.js';
import { ManualClock } from '../src/node/manual-clock.js';
import { RaftNode, type RaftNodeOptions } from '../src/node/raft-node.js';
import type { Transport, TransportHandler } from '../src/transport.js';
import { MessageType } from '../src/types.js';
import { ListStateMachine } from './support/list-state-machine.js';

const enc = (s: string) => new TextEncoder().encode(s);

interface Member {
  node: RaftNode<number>;
  storage: MemoryStorage;
  sm: ListStateMachine;
}

class TestCluster {
  readonly clock = new ManualClock();
  readonly net: MemoryNetwork;
  readonly members = new Map<string, Member>();

  constructor() {
    this.net = createMemoryNetwork({ clock: this.clock });
  }

  async startNode(id: string, opts: Partial<RaftNodeOptions<number>> = {}, storage = new MemoryStorage()) {
    const sm = new ListStateMachine();
    const node = await RaftNode.start<number>({
      id,
      storage,
      transport: this.net.transport(id),
      stateMachine: sm,
      clock: this.clock,
      seed: id.charCodeAt(0),
      ...opts,
    });
    this.members.set(id, { node, storage, sm });
    return node;
  }

  m(id: string): Member {
    return this.members.get(id)!;
  }

  leader(): RaftNode<number> | undefined {
    const ls = [...this.members.values()].filter(
      (m) => !m.node.status().stopped && m.node.status().role === 'leader',
    );
    // The newest term wins (a deposed leader may not know yet).
    ls.sort((a, b) => b.node.status().term - a.node.status().term);
    return ls[0]?.node;
  }

  async until(pred: () => boolean, maxMs = 20_000): Promise<void> {
    for (let t = 0; t < maxMs; t += 10) {
      if (pred()) return;
      await this.clock.advance(10);
    }
    throw new Error('condition not reached in simulated time');
  }

  async waitLeader(): Promise<RaftNode<number>> {
    await this.until(() => this.leader() !== undefined);
    return this.leader()!;
  }

  async resolve<T>(p: Promise<T>, maxMs = 20_000): Promise<T> {
    let done = false;
    let value: T | undefined;
    let error: unknown;
    p.then(
      (v) => {
        done = true;
        value = v;
      },
      (e) => {
        done = true;
        error = e;
      },
    );
    await this.until(() => done, maxMs);
    if (error !== undefined) throw error;
    return value as T;
  }

  async closeAll(): Promise<void> {
    for (const m of this.members.values()) await m.node.close();
  }
}

async function threeNodes(config: RaftNodeOptions<number>['config'] = {}) {
  const c = new TestCluster();
  for (const id of ['a', 'b', 'c']) await c.startNode(id, { bootstrap: { voters: ['a', 'b', 'c'] }, config });
  return c;
}

describe('RaftNode', () => {
  it('elects a leader, applies proposals on every node and resolves with the state machine result', async () => {
    const c = await threeNodes();
    const leader = await c.waitLeader();
    const r1 = await c.resolve(leader.propose(enc('x=1')));
    const r2 = await c.resolve(leader.propose(enc('y=2')));
    expect([r1, r2]).toEqual([1, 2]);
    await c.until(() => ['a', 'b', 'c'].every((id) => c.m(id).sm.items.length === 2));
    for (const id of ['a', 'b', 'c']) expect(c.m(id).sm.items).toEqual(['x=1', 'y=2']);
    await c.closeAll();
  });

  it('rejects proposals on a follower with NotLeaderError carrying the leader', async () => {
    const c = await threeNodes();
    const leader = await c.waitLeader();
    await c.until(() => [...c.members.values()].every((m) => m.node.status().leader === leader.id));
    const follower = [...c.members.values()].find((m) => m.node !== leader)!.node;
    const err = await follower.propose(enc('nope')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotLeaderError);
    expect((err as NotLeaderError).leader).toBe(leader.id);
    await c.closeAll();
  });

  it('serves readIndex on a follower after it applied every acknowledged write', async () => {
    const c = await threeNodes();
    const leader = await c.waitLeader();
    await c.until(() => [...c.members.values()].every((m) => m.node.status().leader === leader.id));
    for (let i = 0; i < 5; i++) await c.resolve(leader.propose(enc(`w${i}`)));
    const follower = [...c.members.values()].find((m) => m.node !== leader)!;
    const idx = await c.resolve(follower.node.readIndex());
    expect(idx).toBeGreaterThanOrEqual(leader.status().commit - 0);
    expect(follower.sm.items).toContain('w4');
    await c.closeAll();
  });

  it('replays committed entries exactly once after a restart (snapshot restored, then replay)', async () => {
    const c = await threeNodes({ snapshotEntries: 4, snapshotTrailingEntries: 1 });
    const leader = await c.waitLeader();
    for (let i = 0; i < 10; i++) await c.resolve(leader.propose(enc(`e${i}`)));
    const victim = [...c.members.entries()].find(([, m]) => m.node !== leader)!;
    const [id, m] = victim;
    await c.until(() => m.sm.items.length === 10);
    await m.node.close();
    expect(m.storage.firstIndex()).toBeGreaterThan(1); // compacted after auto-snapshots
    const restarted = await c.startNode(id, {}, m.storage);
    const sm = c.m(id).sm;
    await c.until(() => sm.items.length >= 10);
    expect(sm.restores).toBe(1);
    expect(sm.items).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    await c.resolve(c.leader()!.propose(enc('after')));
    await c.until(() => sm.items.length === 11);
    expect(sm.items[10]).toBe('after');
    expect(restarted.status().stopped).toBe(false);
    await c.closeAll();
  });

  it('adds a learner that catches up from a snapshot sent in chunks, then promotes it', async () => {
    const c = await threeNodes({ snapshotEntries: 5, snapshotTrailingEntries: 0, maxSnapshotChunkBytes: 16 });
    const leader = await c.waitLeader();
    for (let i = 0; i < 12; i++) await c.resolve(leader.propose(enc(`item-${i}`)));
    await c.startNode('d', { config: { maxSnapshotChunkBytes: 16 } });
    const conf = await c.resolve(leader.addLearner('d', enc('http://127.0.0.1:1/d')));
    expect(conf.learners).toEqual(['d']);
    await c.until(() => c.m('d').sm.items.length === 12);
    expect(c.m('d').sm.restores).toBe(1);
    const conf2 = await c.resolve(leader.promote('d'));
    expect(conf2.voters).toEqual(['a', 'b', 'c', 'd']);
    await c.resolve(leader.propose(enc('last')));
    await c.until(() => c.m('d').sm.items.length === 13);
    await c.closeAll();
  });

  it('transfers leadership to a chosen node', async () => {
    const c = await threeNodes();
    const leader = await c.waitLeader();
    const target = ['a', 'b', 'c'].find((id) => id !== leader.id)!;
    await c.resolve(leader.transferLeadership(target));
    await c.until(() => c.leader()?.id === target);
    expect(leader.status().role).toBe('follower');
    await c.closeAll();
  });

  it('a removed leader steps down and the rest elect a new one', async () => {
    const c = await threeNodes();
    const leader = await c.waitLeader();
    const roles: string[] = [];
    leader.on('role-change', (e) => roles.push(e.role));
    await c.resolve(leader.removeServer(leader.id));
    await c.until(() => c.leader() !== undefined && c.leader() !== leader);
    expect(roles).toContain('follower');
    const next = c.leader()!;
    expect(next.status().config.voters).not.toContain(leader.id);
    await c.resolve(next.propose(enc('still works')));
    await c.closeAll();
  });

  it('stops on a storage failure and rejects later calls with NodeStoppedError', async () => {
    let fail = false;
    const c = new TestCluster();
    const storages = new Map<string, MemoryStorage>();
    for (const id of ['a', 'b', 'c']) {
      const s = new MemoryStorage({
        beforeWrite: () => {
          if (fail && id === 'a') throw new Error('disk gone');
        },
      });
      storages.set(id, s);
      await c.startNode(id, { bootstrap: { voters: ['a', 'b', 'c'] } }, s);
    }
    await c.waitLeader();
    let stoppedWith: unknown;
    c.m('a').node.on('stopped', (e) => {
      stoppedWith = e.error;
    });
    fail = true;
    void c
      .leader()!
      .propose(enc('trigger a write'))
      .catch(() => undefined);
    await c.until(() => c.m('a').node.status().stopped);
    expect(stoppedWith).toBeInstanceOf(StorageFatalError);
    await expect(c.m('a').node.propose(enc('x'))).rejects.toBeInstanceOf(NodeStoppedError);
    await c.closeAll();
  });

  it('keeps sending heartbeats while the leader storage is stalled (no spurious election)', async () => {
    let stall: Promise<void> | undefined;
    let release: () => void = () => {};
    const c = new TestCluster();
    for (const id of ['a', 'b', 'c']) {
      const s = new MemoryStorage({ beforeWrite: () => (id === 'a' ? stall : undefined) });
      await c.startNode(id, { bootstrap: { voters: ['a', 'b', 'c'] } }, s);
    }
    c.m('a').node.campaign();
    const leader = await c.waitLeader();
    expect(leader.id).toBe('a');
    await c.until(() => leader.status().commit >= 4);
    const term = leader.status().term;
    stall = new Promise((r) => {
      release = r;
    });
    const p = leader.propose(enc('slow'));
    await c.clock.advance(5_000); // five election timeouts
    expect(c.m('b').node.status().term).toBe(term);
    expect(c.m('c').node.status().term).toBe(term);
    expect(leader.status().role).toBe('leader');
    stall = undefined;
    release();
    expect(await c.resolve(p)).toBe(1);
    await c.closeAll();
  });
});

describe('RaftNode batching and events', () => {
  it('proposeBatch appends entries together and resolves with every result in order', async () => {
    const c = await threeNodes();
    const leader = await c.waitLeader();
    const results = await c.resolve(leader.proposeBatch(['a', 'b', 'c'].map(enc)));
    expect(results).toEqual([1, 2, 3]);
    await c.until(() => ['a', 'b', 'c'].every((id) => c.m(id).sm.items.length === 3));
    await c.closeAll();
  });

  it('emits leader-change, role-change and conf-change events', async () => {
    const c = new TestCluster();
    const seen: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      const n = await c.startNode(id, { bootstrap: { voters: ['a', 'b', 'c'] } });
      n.on('conf-change', (e) => seen.push(`${id}:conf:${e.confState.voters.join('')}`));
      n.on('leader-change', (e) => seen.push(`${id}:leader:${e.leader}`));
      n.on('role-change', (e) => seen.push(`${id}:role:${e.role}`));
    }
    const leader = await c.waitLeader();
    await c.until(() => seen.filter((s) => s.includes(':leader:') && s.endsWith(leader.id)).length === 3);
    expect(seen).toContain(`${leader.id}:role:leader`);
    expect(seen).toContain('a:conf:abc');
    await c.closeAll();
  });

  it('rejects a readIndex with RaftTimeoutError when the leader is unreachable', async () => {
    const c = await threeNodes({ readIndexTimeoutMs: 500 });
    const leader = await c.waitLeader();
    await c.until(() => [...c.members.values()].every((m) => m.node.status().leader === leader.id));
    c.net.isolate(leader.id);
    const err = await c.resolve(leader.readIndex().catch((e: unknown) => e));
    expect((err as Error).name).toBe('RaftTimeoutError');
    await c.closeAll();
  });

  it('hears from its transport that a snapshot send failed, and probes the follower again', async () => {
    const c = new TestCluster();
    const handlers = new Map<string, TransportHandler>();
    for (const id of ['a', 'b', 'c']) {
      const inner = c.net.transport(id);
      // The node's transport as the driver sees it; keeps the handler so the test can report as a transport would.
      const transport: Transport = {
        start: (handler) => {
          handlers.set(id, handler);
          return inner.start(handler);
        },
        send: (messages) => inner.send(messages),
        close: () => inner.close(),
      };
      await c.startNode(id, {
        transport,
        bootstrap: { voters: ['a', 'b', 'c'] },
        config: { snapshotEntries: 4, snapshotTrailingEntries: 0 },
      });
    }
    const leader = await c.waitLeader();
    const lagging = ['a', 'b', 'c'].find((id) => id !== leader.id)!;
    c.net.isolate(lagging);
    for (let i = 0; i < 10; i++) await c.resolve(leader.propose(enc(`e${i}`)));
    // Back on the network, but every snapshot to it is lost: the leader waits on the snapshot.
    c.net.heal();
    c.net.setFilter((m) => (m.type === MessageType.Snap && m.to === lagging ? 'drop' : 'deliver'));
    await c.until(() => leader.status().progress[lagging]?.state === 'snapshot');
    handlers.get(leader.id)!.reportSnapshot!(lagging, false);
    expect(leader.status().progress[lagging]?.state).toBe('probe');
    // Once snapshots get through again, the follower catches up.
    c.net.setFilter(undefined);
    await c.until(() => c.m(lagging).sm.items.length === 10);
    await c.closeAll();
  });
});
