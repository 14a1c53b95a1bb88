/** Helpers for driving one RawNode by hand (paper scenario tests). */
import type { RaftConfig } from '../../src/config.js';
import { MemoryStorage } from '../../src/memory-storage.js';
import { message } from '../../src/message.js';
import { createSeededRandom } from '../../src/random.js';
import { RawNode } from '../../src/raw-node.js';
import type { Entry, HardState, Message, NodeId } from '../../src/types.js';
import { EntryType, MessageType } from '../../src/types.js';

export const ent = (index: number, term: number, data = ''): Entry => ({
  index,
  term,
  type: EntryType.Normal,
  data: new TextEncoder().encode(data),
});

export interface NodeSetup {
  peers?: NodeId[];
  learners?: NodeId[];
  entries?: Entry[];
  hardState?: HardState;
  config?: Omit<RaftConfig, 'id'>;
}

export interface Driven {
  raw: RawNode;
  storage: MemoryStorage;
  applied: Entry[];
}

/** A RawNode over MemoryStorage holding `entries` and `hardState`. */
export function newNode(id: NodeId, setup: NodeSetup = {}): Driven {
  const storage = new MemoryStorage();
  if (setup.entries?.length || setup.hardState) {
    storage.saveSync({
      entries: setup.entries ?? [],
      ...(setup.hardState ? { hardState: setup.hardState } : {}),
    });
  }
  const peers = setup.peers ?? ['1', '2', '3'];
  const raw = new RawNode(
    {
      id,
      electionTick: 10,
      heartbeatTick: 1,
      preVote: false,
      checkQuorum: false,
      random: createSeededRandom(7),
      ...setup.config,
    },
    storage,
    {
      hardState: storage.getHardState(),
      snapshotMetadata: {
        index: 0,
        term: 0,
        confState: {
          voters: peers,
          learners: setup.learners ?? [],
          votersOutgoing: [],
          learnersNext: [],
          autoLeave: false,
        },
      },
    },
  );
  return { raw, storage, applied: [] };
}

/**
 * Handles every Ready (persisting immediately) and returns the messages sent
 * to other nodes, in order. Self-addressed messages are stepped internally.
 */
export function readMessages(d: Driven): Message[] {
  const out: Message[] = [];
  while (d.raw.hasReady()) {
    const rd = d.raw.ready();
    out.push(...rd.messages);
    d.storage.saveSync({
      ...(rd.snapshot ? { snapshot: rd.snapshot } : {}),
      entries: rd.entries,
      ...(rd.hardState ? { hardState: rd.hardState } : {}),
    });
    out.push(...rd.persistedMessages);
    d.raw.persisted(rd);
    d.applied.push(...rd.committedEntries);
    d.raw.applied(rd);
  }
  return out;
}

/** Builds a message from a peer. */
export const msg = (fields: Partial<Message> & Pick<Message, 'type' | 'from' | 'to'>): Message =>
  message(fields);

/** Ticks `n` times. */
export function tickN(d: Driven, n: number): void {
  for (let i = 0; i < n; i++) d.raw.tick();
}

/** Makes the node leader of `term`+1 by campaigning and granting votes from every peer. */
export function makeLeader(d: Driven, peers: NodeId[], options: { ackNoop?: boolean } = {}): void {
  d.raw.campaign();
  readMessages(d);
  const term = d.raw.status().term;
  for (const p of peers) {
    if (p === d.raw.status().id) continue;
    d.raw.step(msg({ type: MessageType.VoteResp, from: p, to: d.raw.status().id, term }));
  }
  readMessages(d);
  if (options.ackNoop) {
    // Followers acknowledge the leader's no-op: their progress moves to replicate.
    const index = d.raw.status().lastIndex;
    for (const p of peers) {
      if (p !== d.raw.status().id)
        d.raw.step(msg({ type: MessageType.AppResp, from: p, to: d.raw.status().id, term, index }));
    }
    readMessages(d);
  }
}
