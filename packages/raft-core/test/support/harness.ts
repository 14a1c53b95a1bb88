/**
 * A synchronous, in-process cluster of RawNodes for scenario tests (like
 * etcd's `network`): messages are delivered by `deliverAll()`, persistence is
 * immediate (MemoryStorage.saveSync), and links can be cut or filtered.
 */

import { decodeConfChange } from '../../src/confchange/codec.js';
import type { RaftConfig } from '../../src/config.js';
import { MemoryStorage } from '../../src/memory-storage.js';
import { createSeededRandom } from '../../src/random.js';
import { RawNode } from '../../src/raw-node.js';
import type { ReadState } from '../../src/read-only.js';
import type { AppliedConfChange, Ready } from '../../src/ready.js';
import type { ConfState, Entry, Message, NodeId } from '../../src/types.js';
import { EntryType } from '../../src/types.js';

export const enc = (s: string) => new TextEncoder().encode(s);
export const dec = (b: Uint8Array) => new TextDecoder().decode(b);

export function confState(voters: NodeId[], learners: NodeId[] = []): ConfState {
  return { voters, learners, votersOutgoing: [], learnersNext: [], autoLeave: false };
}

/** One node: a RawNode, its storage and what it applied. */
export class TestNode {
  raw: RawNode;
  readonly applied: Entry[] = [];
  readonly readStates: ReadState[] = [];
  readonly confChanges: AppliedConfChange[] = [];
  snapshotsRestored = 0;
  /** When set, Readies are persisted but not applied until {@link applyHeld} (a slow state machine). */
  holdApply = false;
  readonly held: Ready[] = [];

  constructor(
    readonly id: NodeId,
    readonly storage: MemoryStorage,
    readonly config: Omit<RaftConfig, 'id'>,
    voters: ConfState,
  ) {
    this.raw = TestNode.open(id, storage, config, voters);
  }

  static open(id: NodeId, storage: MemoryStorage, config: Omit<RaftConfig, 'id'>, cs: ConfState): RawNode {
    const hardState = storage.getHardState();
    const snap = storage.snapshot();
    const md = snap.metadata.index > 0 ? snap.metadata : { index: 0, term: 0, confState: cs };
    return new RawNode({ id, ...config }, storage, { hardState, snapshotMetadata: md });
  }

  /** Processes every Ready: persist, collect messages, apply. Returns the messages to send. */
  drain(): Message[] {
    const out: Message[] = [];
    while (this.raw.hasReady()) {
      const rd = this.raw.ready();
      out.push(...rd.messages);
      this.storage.saveSync({
        ...(rd.snapshot ? { snapshot: rd.snapshot } : {}),
        entries: rd.entries,
        ...(rd.hardState ? { hardState: rd.hardState } : {}),
      });
      out.push(...rd.persistedMessages);
      this.raw.persisted(rd);
      this.readStates.push(...rd.readStates);
      if (this.holdApply || this.held.length > 0) this.held.push(rd);
      else this.apply(rd);
    }
    return out;
  }

  /** Applies every held Ready, in order. */
  applyHeld(): void {
    this.holdApply = false;
    while (this.held.length > 0) this.apply(this.held.shift()!);
  }

  private apply(rd: Ready): void {
    if (rd.snapshot) {
      this.snapshotsRestored++;
      this.applied.length = 0;
    }
    this.applied.push(...rd.committedEntries);
    this.confChanges.push(...this.raw.applied(rd));
  }

  get status() {
    return this.raw.status();
  }

  /** Data of applied normal non-empty entries. */
  appliedData(): string[] {
    return this.applied
      .filter((e) => e.type === EntryType.Normal && e.data.byteLength > 0)
      .map((e) => dec(e.data));
  }

  appliedConfChanges() {
    return this.applied.filter((e) => e.type === EntryType.ConfChange).map((e) => decodeConfChange(e.data));
  }
}

export interface ClusterOptions extends Omit<RaftConfig, 'id' | 'random'> {
  seed?: number;
  /** Members that start as learners. */
  learners?: NodeId[];
}

/** A synchronous cluster. */
export class Cluster {
  readonly nodes = new Map<NodeId, TestNode>();
  private cuts = new Set<string>();
  filter: ((m: Message) => boolean) | undefined;
  /** Every message delivered, in order (for assertions). */
  readonly trace: Message[] = [];
  private queue: Message[] = [];

  constructor(
    readonly ids: NodeId[],
    readonly options: ClusterOptions = {},
  ) {
    const cs = confState(
      ids.filter((i) => !options.learners?.includes(i)),
      options.learners ?? [],
    );
    ids.forEach((id, i) => {
      const { seed, learners: _l, ...cfg } = options;
      const config = {
        electionTick: 10,
        heartbeatTick: 1,
        ...cfg,
        random: createSeededRandom((seed ?? 1) * 131 + i),
      };
      this.nodes.set(id, new TestNode(id, new MemoryStorage(), config, cs));
    });
  }

  node(id: NodeId): TestNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Adds a node that is not in anyone's configuration yet (to be added by a conf change). */
  addNode(id: NodeId, cs: ConfState = confState([])): TestNode {
    const { seed, learners: _l, ...cfg } = this.options;
    const n = new TestNode(
      id,
      new MemoryStorage(),
      { electionTick: 10, heartbeatTick: 1, ...cfg, random: createSeededRandom(seed ?? 7) },
      cs,
    );
    this.nodes.set(id, n);
    return n;
  }

  /** Replaces each listed node's storage content and reopens it (a node restarted with that log). */
  seed(logs: Record<NodeId, { entries: Entry[]; term: number; commit?: number }>): void {
    const cs = confState(
      this.ids.filter((i) => !this.options.learners?.includes(i)),
      this.options.learners ?? [],
    );
    for (const [id, l] of Object.entries(logs)) {
      const n = this.node(id);
      n.storage.saveSync({
        entries: l.entries,
        hardState: { term: l.term, vote: '', commit: l.commit ?? 0 },
      });
      n.raw = TestNode.open(id, n.storage, n.config, cs);
    }
  }

  cut(a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}>${b}`);
    this.cuts.add(`${b}>${a}`);
  }

  cutOneWay(from: NodeId, to: NodeId): void {
    this.cuts.add(`${from}>${to}`);
  }

  isolate(id: NodeId): void {
    for (const o of this.nodes.keys()) if (o !== id) this.cut(id, o);
  }

  recover(): void {
    this.cuts.clear();
    this.filter = undefined;
  }

  /** Collects pending output of every node into the queue. */
  collect(): void {
    for (const n of this.nodes.values()) this.queue.push(...n.drain());
  }

  /** Delivers queued messages (and the ones they cause) until quiet. Returns how many were delivered. */
  deliverAll(limit = 100_000): number {
    let delivered = 0;
    this.collect();
    while (this.queue.length > 0 && delivered < limit) {
      const m = this.queue.shift()!;
      if (this.cuts.has(`${m.from}>${m.to}`)) continue;
      if (this.filter && !this.filter(m)) continue;
      const target = this.nodes.get(m.to);
      if (!target) continue;
      this.trace.push(m);
      target.raw.step(m);
      delivered++;
      this.queue.push(...target.drain());
    }
    return delivered;
  }

  /** Drops everything queued (lost in the network). */
  dropQueued(): void {
    this.collect();
    this.queue = [];
  }

  /** Makes `id` campaign and runs the cluster until quiet. */
  elect(id: NodeId): void {
    this.node(id).raw.campaign();
    this.deliverAll();
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const node of this.nodes.values()) node.raw.tick();
      this.deliverAll();
    }
  }

  propose(id: NodeId, data: string) {
    const pos = this.node(id).raw.propose(enc(data));
    this.deliverAll();
    return pos;
  }

  leaders(): NodeId[] {
    return [...this.nodes.values()].filter((n) => n.status.role === 'leader').map((n) => n.id);
  }
}
