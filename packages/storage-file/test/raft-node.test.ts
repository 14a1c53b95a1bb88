import { createMemoryNetwork, type Entry, NotLeaderError, RaftNode, type StateMachine } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { FileStorage } from '../src/index.js';
import { tempDir } from './helpers.js';
import { quietLogger } from './quiet-logger.js';

/** A state machine that records every applied command, and snapshots as JSON. */
class Journal implements StateMachine<number> {
  applied: string[] = [];
  apply(entries: readonly Entry[]): number[] {
    return entries.map((e) => this.applied.push(new TextDecoder().decode(e.data)));
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.applied));
  }
  restore(data: Uint8Array): void {
    this.applied = JSON.parse(new TextDecoder().decode(data));
  }
}

const ids = ['a', 'b', 'c'];

async function startCluster(dirs: Record<string, string>, bootstrap: boolean) {
  const net = createMemoryNetwork();
  const members = await Promise.all(
    ids.map(async (id) => {
      const storage = await FileStorage.open({ dir: dirs[id]!, segmentBytes: 8192, logger: quietLogger() });
      const journal = new Journal();
      const node = await RaftNode.start({
        id,
        storage,
        transport: net.transport(id),
        stateMachine: journal,
        config: { tickMs: 10, snapshotEntries: 40, snapshotTrailingEntries: 5 },
        ...(bootstrap ? { bootstrap: { voters: ids } } : {}),
      });
      return { id, storage, journal, node };
    }),
  );
  return members;
}

/** Proposes on whichever node leads, retrying while an election is under way (bounded). */
async function propose(members: Awaited<ReturnType<typeof startCluster>>, text: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const leader = members.find((m) => m.node.status().role === 'leader');
    if (leader) {
      try {
        await leader.node.propose(new TextEncoder().encode(text));
        return;
      } catch (error) {
        if (!(error instanceof NotLeaderError)) throw error;
      }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no leader accepted the proposal in 500 attempts');
}

describe('FileStorage under a RaftNode', () => {
  it('a 3-node cluster commits, restarts from its files, and keeps every applied command', async () => {
    const dirs = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await tempDir()] as const)));
    let members = await startCluster(dirs, true);
    for (let i = 0; i < 60; i++) await propose(members, `cmd-${i}`);
    for (const m of members) await m.node.close();
    for (const m of members) await m.storage.close();

    // Restart from disk only: no bootstrap, fresh state machines (restored from snapshot + log).
    members = await startCluster(dirs, false);
    for (let i = 60; i < 80; i++) await propose(members, `cmd-${i}`);
    const expected = Array.from({ length: 80 }, (_, i) => `cmd-${i}`);
    for (
      let attempt = 0;
      attempt < 500 && !members.every((m) => m.journal.applied.length === 80);
      attempt++
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const m of members) expect(m.journal.applied).toEqual(expected);
    // The node took snapshots and compacted through the storage.
    expect(members.some((m) => m.storage.snapshot().metadata.index > 0)).toBe(true);
    expect(members.some((m) => m.storage.firstIndex() > 1)).toBe(true);
    for (const m of members) await m.node.close();
    for (const m of members) await m.storage.close();
  }, 60_000);
});
