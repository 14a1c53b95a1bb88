/**
 * A RaftNode run on a real backend, shared by the key-value backends' tests
 * (imported by path from packages/storage-{level,dynamodb}/test): a one-voter
 * cluster proposes, snapshots and compacts, stops, restarts on the same
 * storage and must come back with the same applied state.
 */
import { createMemoryNetwork, type Entry, RaftNode, type StateMachine, type Storage } from '@avs/raft-core';
import { expect } from 'vitest';

/** Appends each applied command to a list; its snapshot is the list as JSON. */
class ListMachine implements StateMachine<number> {
  items: string[] = [];

  apply(entries: readonly Entry[]): number[] {
    return entries.map((e) => this.items.push(new TextDecoder().decode(e.data)));
  }

  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.items));
  }

  restore(data: Uint8Array): void {
    this.items = JSON.parse(new TextDecoder().decode(data));
  }
}

async function startSingleVoter(storage: Storage, machine: ListMachine): Promise<RaftNode<number>> {
  const node = await RaftNode.start<number>({
    id: 'a',
    storage,
    transport: createMemoryNetwork().transport('a'),
    stateMachine: machine,
    bootstrap: { voters: ['a'] },
    // Small snapshot settings so the run snapshots and compacts through the backend.
    config: { tickMs: 5, snapshotEntries: 8, snapshotTrailingEntries: 2 },
  });
  if (node.status().role !== 'leader') {
    await new Promise<void>((resolve) => {
      const off = node.on('role-change', ({ role }) => {
        if (role === 'leader') {
          off();
          resolve();
        }
      });
    });
  }
  return node;
}

/**
 * Runs the scenario. `open` opens the backend at one fixed place (the same
 * one each call); the scenario closes what it opens.
 */
export async function runRaftNodeScenario(open: () => Storage): Promise<void> {
  const storage = open();
  const machine = new ListMachine();
  const node = await startSingleVoter(storage, machine);
  for (let i = 1; i <= 20; i++) await node.propose(new TextEncoder().encode(`cmd-${i}`));
  await node.close();
  // Snapshots were taken and the log compacted behind them.
  expect(storage.snapshot().metadata.index).toBeGreaterThan(0);
  expect(storage.firstIndex()).toBeGreaterThan(1);
  await storage.close();

  const reopened = open();
  const restored = new ListMachine();
  const again = await startSingleVoter(reopened, restored);
  await again.propose(new TextEncoder().encode('after-restart'));
  await again.close();
  await reopened.close();
  const expected = Array.from({ length: 20 }, (_, i) => `cmd-${i + 1}`);
  expect(machine.items).toEqual(expected);
  expect(restored.items).toEqual([...expected, 'after-restart']);
}
