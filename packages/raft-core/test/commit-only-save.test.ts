import { describe, expect, it } from 'vitest';
import { createMemoryNetwork } from '../src/memory-network.js';
import { MemoryStorage } from '../src/memory-storage.js';
import { ManualClock } from '../src/node/manual-clock.js';
import { RaftNode } from '../src/node/raft-node.js';
import type { StorageUpdate } from '../src/storage.js';
import type { HardState } from '../src/types.js';
import { ListStateMachine } from './support/list-state-machine.js';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * MemoryStorage whose saves can be held pending: while `hold` says so, a save
 * waits until {@link releaseAll}. Tracks the latest hard state it was asked to
 * write, so it can tell a commit-only save (same term and vote, no entries, no snapshot).
 */
class GatedStorage extends MemoryStorage {
  hold: (update: StorageUpdate, commitOnly: boolean) => boolean = () => false;
  private readonly held: (() => void)[] = [];
  private last: HardState = { term: 0, vote: '', commit: 0 };
  heldCommitOnly = 0;
  heldWithEntries = 0;

  constructor() {
    super({
      beforeWrite: (kind, update) => {
        if (kind !== 'save' || !update) return;
        const hs = update.hardState;
        const commitOnly =
          !update.snapshot &&
          (update.entries?.length ?? 0) === 0 &&
          hs !== undefined &&
          hs.term === this.last.term &&
          hs.vote === this.last.vote;
        if (hs) this.last = hs;
        if (!this.hold(update, commitOnly)) return;
        if (commitOnly) this.heldCommitOnly++;
        if ((update.entries?.length ?? 0) > 0) this.heldWithEntries++;
        return new Promise<void>((resolve) => this.held.push(resolve));
      },
    });
  }

  releaseAll(): void {
    this.hold = () => false;
    for (const r of this.held.splice(0)) r();
  }
}

async function cluster() {
  const clock = new ManualClock();
  const net = createMemoryNetwork({ clock });
  const members = new Map<string, { node: RaftNode<number>; storage: GatedStorage; sm: ListStateMachine }>();
  for (const id of ['a', 'b', 'c']) {
    const storage = new GatedStorage();
    const sm = new ListStateMachine();
    const node = await RaftNode.start<number>({
      id,
      storage,
      transport: net.transport(id),
      stateMachine: sm,
      clock,
      seed: id.charCodeAt(0),
      bootstrap: { voters: ['a', 'b', 'c'] },
    });
    members.set(id, { node, storage, sm });
  }
  /** Advances simulated time in 10 ms steps until `pred` holds (bounded by steps, not wall time). */
  const until = async (pred: () => boolean, steps = 2_000): Promise<void> => {
    for (let i = 0; i < steps; i++) {
      if (pred()) return;
      await clock.advance(10);
    }
    throw new Error('condition not reached in simulated time');
  };
  await until(() => [...members.values()].some((m) => m.node.status().role === 'leader'));
  const leader = [...members.values()].find((m) => m.node.status().role === 'leader')!;
  await until(() => [...members.values()].every((m) => m.node.status().leader === leader.node.id));
  const closeAll = async () => {
    for (const m of members.values()) {
      m.storage.releaseAll();
      await m.node.close();
    }
  };
  return { leader, until, closeAll, clock };
}

describe('RaftNode apply vs commit-only saves', () => {
  it('applies a committed entry before its new commit index is written, and writes that index with the next write', async () => {
    const { leader, until, closeAll } = await cluster();
    let settled: number | undefined;
    // Hold every commit-only save on the leader; entry writes go through.
    leader.storage.hold = (_u, commitOnly) => commitOnly;
    void leader.node.propose(enc('x')).then(
      (v) => {
        settled = v;
      },
      () => undefined,
    );
    await until(() => settled !== undefined);
    expect(settled).toBe(1);
    expect(leader.sm.items).toEqual(['x']);
    // Applied although the commit index that covers it is not durable: it waits for the next
    // write instead of taking a save (an fsync) of its own.
    const applied = leader.node.status().applied;
    expect(leader.storage.getHardState().commit).toBeLessThan(applied);
    expect(leader.storage.heldCommitOnly).toBe(0);
    let second: number | undefined;
    void leader.node.propose(enc('x2')).then(
      (v) => {
        second = v;
      },
      () => undefined,
    );
    await until(() => second !== undefined);
    // The second entry's write carried the first one's commit index.
    expect(leader.storage.getHardState().commit).toBeGreaterThanOrEqual(applied);
    expect(leader.storage.heldCommitOnly).toBe(0);
    await closeAll();
  });

  it('a clean close writes the commit index that waited for a next write', async () => {
    const { leader, until, closeAll } = await cluster();
    let settled: number | undefined;
    void leader.node.propose(enc('z')).then(
      (v) => {
        settled = v;
      },
      () => undefined,
    );
    await until(() => settled !== undefined);
    const applied = leader.node.status().applied;
    expect(leader.storage.getHardState().commit).toBeLessThan(applied);
    await closeAll();
    expect(leader.storage.getHardState().commit).toBe(applied);
  });

  it('does not apply an entry whose own write is pending, even once a quorum of followers committed it', async () => {
    const { leader, until, closeAll, clock } = await cluster();
    const start = leader.node.status().commit;
    let settled: number | undefined;
    leader.storage.hold = (u) => (u.entries?.length ?? 0) > 0;
    void leader.node.propose(enc('y')).then(
      (v) => {
        settled = v;
      },
      () => undefined,
    );
    // The followers' acknowledgements commit the entry without the leader's own write.
    await until(() => leader.node.status().commit > start);
    // Give the leader ample simulated time in which it could (wrongly) apply.
    for (let i = 0; i < 50; i++) await clock.advance(10);
    expect(leader.storage.heldWithEntries).toBeGreaterThan(0);
    expect(leader.sm.items).toEqual([]);
    expect(settled).toBeUndefined();
    leader.storage.releaseAll();
    await until(() => settled !== undefined);
    expect(leader.sm.items).toEqual(['y']);
    await closeAll();
  });
});
