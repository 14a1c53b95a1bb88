import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../src/errors.js';
import { createMemoryNetwork } from '../src/memory-network.js';
import { MemoryStorage } from '../src/memory-storage.js';
import { ManualClock } from '../src/node/manual-clock.js';
import { RaftNode } from '../src/node/raft-node.js';
import type { Entry } from '../src/types.js';
import { ListStateMachine } from './support/list-state-machine.js';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * MemoryStorage whose older entries start "cold" (like a LevelDB or DynamoDB
 * backend after a restart): reads below `warmFrom` throw UnavailableError and
 * schedule a load; when it finishes the listener is called.
 */
class ColdStorage extends MemoryStorage {
  warmFrom = Number.POSITIVE_INFINITY;
  loads = 0;
  private listener: (() => void) | undefined;
  private loading = false;

  constructor(private readonly clock: ManualClock) {
    super();
  }

  override onAvailable(listener: () => void): void {
    this.listener = listener;
  }

  private check(lo: number, hi: number): void {
    if (lo >= this.warmFrom) return;
    if (!this.loading) {
      this.loading = true;
      this.clock.setTimeout(() => {
        this.loads++;
        this.warmFrom = 0;
        this.loading = false;
        this.listener?.();
      }, 50);
    }
    throw new UnavailableError(lo, hi);
  }

  override entries(lo: number, hi: number, maxBytes: number): Entry[] {
    this.check(lo, hi);
    return super.entries(lo, hi, maxBytes);
  }

  override term(index: number): number {
    if (index < this.lastIndex()) this.check(index, index + 1);
    return super.term(index);
  }
}

describe('storage that loads ranges asynchronously (UnavailableError + onAvailable)', () => {
  it('a restarted node replays cold committed entries once storage calls back, without spinning', async () => {
    const clock = new ManualClock();
    const net = createMemoryNetwork({ clock });
    const ids = ['a', 'b', 'c'];
    const storages = new Map(ids.map((id) => [id, new ColdStorage(clock)]));
    const sms = new Map(ids.map((id) => [id, new ListStateMachine()]));
    const start = (id: string) =>
      RaftNode.start<number>({
        id,
        storage: storages.get(id)!,
        transport: net.transport(id),
        stateMachine: sms.get(id)!,
        clock,
        bootstrap: { voters: ids },
        config: { snapshotEntries: 0 },
      });
    const nodes = new Map<string, RaftNode<number>>();
    for (const id of ids) nodes.set(id, await start(id));
    const leaderOf = () => [...nodes.values()].find((n) => n.status().role === 'leader');
    while (!leaderOf()) await clock.advance(10);
    const leader = leaderOf()!;
    for (let i = 0; i < 10; i++) {
      const p = leader.propose(enc(`e${i}`));
      let done = false;
      void p.then(() => {
        done = true;
      });
      while (!done) await clock.advance(10);
    }
    const victim = ids.find((id) => id !== leader.id)!;
    while (sms.get(victim)!.items.length < 10) await clock.advance(10);
    await nodes.get(victim)!.close();
    // Restart with a fresh state machine and everything but the log tail cold.
    const storage = storages.get(victim)!;
    storage.warmFrom = storage.lastIndex();
    sms.set(victim, new ListStateMachine());
    nodes.set(victim, await start(victim));
    for (let t = 0; t < 200 && sms.get(victim)!.items.length < 10; t++) await clock.advance(10);
    expect(storage.loads).toBeGreaterThanOrEqual(1);
    expect(sms.get(victim)!.items).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`));
    for (const n of nodes.values()) await n.close();
  });
});
