/**
 * Deterministic simulation of a Raft cluster of RawNodes over a seeded,
 * hostile network, with crash/restart where only persisted state survives.
 * Every step is checked against Raft's safety properties; after faults heal,
 * liveness is checked within a bounded number of ticks. A run is a pure
 * function of its seed.
 */
import { InvalidConfChangeError, NotLeaderError, ProposalDroppedError } from '../../src/errors.js';
import { MemoryStorage } from '../../src/memory-storage.js';
import { createSeededRandom } from '../../src/random.js';
import { RawNode } from '../../src/raw-node.js';
import type { Ready } from '../../src/ready.js';
import type { ConfChange, ConfState, Entry, Message, NodeId } from '../../src/types.js';
import { ConfChangeTransition, ConfChangeType, EntryType } from '../../src/types.js';

const enc = new TextEncoder();
const textDecoder = new TextDecoder();
/** Entry data are shared by reference between simulated nodes: decode each array once. */
const decoded = new WeakMap<Uint8Array, string>();
const dec = {
  decode(b: Uint8Array): string {
    let s = decoded.get(b);
    if (s === undefined) {
      s = textDecoder.decode(b);
      decoded.set(b, s);
    }
    return s;
  },
};

export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  /** Time units of chaos (each unit: every live node ticks once). */
  readonly chaosTicks?: number;
  /** Ticks allowed after healing for a leader and all pending proposals. */
  readonly healTicks?: number;
}

export interface SimResult {
  readonly seed: number;
  readonly committed: number;
  readonly proposals: number;
  readonly crashes: number;
  readonly snapshotsInstalled: number;
  readonly leadersElected: number;
  /** Membership changes proposed (joint swaps, adds, removals, promotions, demotions). */
  readonly confChanges: number;
  /** Applied changes that no longer fit the configuration and were ignored (identically on every node). */
  readonly confErrors: number;
}

/** Thrown with the seed in the message when a check fails. */
export class SimulationFailure extends Error {
  constructor(seed: number, what: string) {
    super(
      `raft simulation seed ${seed} failed: ${what}\nre-run exactly this seed with RAFT_SIM_SEED=${seed}`,
    );
  }
}

interface InFlight {
  readonly at: number;
  readonly seq: number;
  readonly m: Message;
}

interface SimNode {
  readonly id: NodeId;
  readonly storage: MemoryStorage;
  raw: RawNode | undefined;
  /** Readies handed out whose write has not completed. */
  pending: Ready[];
  /** Applied normal entries' data, by index (the state machine). */
  applied: Map<number, string>;
  appliedIndex: number;
  appliedConf: ConfState;
  lastCommit: number;
  downUntil: number;
}

export function runSimulation(opts: SimOptions): SimResult {
  const { seed } = opts;
  const rnd = createSeededRandom(seed);
  const chance = (p: number) => rnd.next() < p;
  const fail = (what: string): never => {
    throw new SimulationFailure(seed, what);
  };
  const ids = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
  const voters: ConfState = {
    voters: ids,
    learners: [],
    votersOutgoing: [],
    learnersNext: [],
    autoLeave: false,
  };
  const chaosTicks = opts.chaosTicks ?? 60;
  const healTicks = opts.healTicks ?? 300;

  // Fault profile for this seed.
  const dropRate = rnd.next() * 0.2;
  const dupRate = rnd.next() * 0.05;
  const maxDelay = 1 + rnd.intn(4); // in sub-steps
  const crashRate = rnd.next() * 0.02;
  const partitionRate = rnd.next() * 0.03;
  const persistDelay = rnd.next() * 0.7; // chance a write is still pending at each sub-step
  const snapshotRate = rnd.next() * 0.05;

  const nodes = new Map<NodeId, SimNode>();
  let now = 0;
  let seq = 0;
  let inflight: InFlight[] = [];
  let cuts = new Set<string>();
  const leaderOfTerm = new Map<number, NodeId>();
  /** (index, term) -> data key and previous term: log matching registry. */
  const logRegistry = new Map<string, string>();
  /** Globally applied entries: index -> data key (state machine safety). */
  const appliedAt = new Map<number, string>();
  let maxCommitted = { index: 0, term: 0 };
  const persistedCommit = new Map<NodeId, number>();
  const proposals = new Map<string, { proposedAt: number }>();
  const acked = new Set<string>();
  let proposalSeq = 0;
  let crashes = 0;
  let snapshotsInstalled = 0;
  let confChanges = 0;
  let confErrors = 0;
  const confRate = opts.nodes > 3 || seed % 2 === 1 ? rnd.next() * 0.02 : 0;

  const open = (n: SimNode): RawNode => {
    const snap = n.storage.snapshot();
    const md = snap.metadata.index > 0 ? snap.metadata : { index: 0, term: 0, confState: voters };
    return new RawNode(
      {
        id: n.id,
        electionTick: 10,
        heartbeatTick: 1,
        preVote: seed % 2 === 0,
        checkQuorum: seed % 3 !== 0,
        maxSizePerMsg: 64 + rnd.intn(256),
        maxInflightMsgs: 1 + rnd.intn(8),
        random: createSeededRandom(seed * 7919 + n.id.charCodeAt(1) * 31 + crashes),
        maxSnapshotChunkBytes: 8 + rnd.intn(64),
      },
      n.storage,
      { hardState: n.storage.getHardState(), snapshotMetadata: md },
    );
  };

  const restoreStateMachine = (n: SimNode) => {
    const snap = n.storage.snapshot();
    n.applied = new Map();
    if (snap.metadata.index > 0) {
      const items = JSON.parse(dec.decode(snap.data)) as [number, string][];
      for (const [i, d] of items) n.applied.set(i, d);
      n.appliedConf = snap.metadata.confState;
    }
    n.appliedIndex = snap.metadata.index;
  };

  for (const id of ids) {
    const n: SimNode = {
      id,
      storage: new MemoryStorage(),
      raw: undefined,
      pending: [],
      applied: new Map(),
      appliedIndex: 0,
      appliedConf: voters,
      lastCommit: 0,
      downUntil: -1,
    };
    n.raw = open(n);
    nodes.set(id, n);
  }

  const send = (m: Message) => {
    if (cuts.has(`${m.from}>${m.to}`)) return;
    if (chance(dropRate)) return;
    inflight.push({ at: now + rnd.intn(maxDelay + 1), seq: seq++, m });
    if (chance(dupRate)) inflight.push({ at: now + rnd.intn(maxDelay + 2), seq: seq++, m });
  };

  const checkLeader = (n: SimNode) => {
    const r = n.raw!.raft;
    const st = { commit: r.log.committed, role: r.role, term: r.term };
    if (st.commit < n.lastCommit) fail(`${n.id} commit index went back from ${n.lastCommit} to ${st.commit}`);
    n.lastCommit = st.commit;
    if (st.role !== 'leader') return;
    const prev = leaderOfTerm.get(st.term);
    if (prev !== undefined && prev !== n.id) fail(`two leaders in term ${st.term}: ${prev} and ${n.id}`);
    if (prev === undefined) {
      leaderOfTerm.set(st.term, n.id);
      // Leader completeness: the newest globally committed entry is in the new leader's log.
      if (maxCommitted.index > 0) {
        const t = n.raw!.term(maxCommitted.index);
        const first = n.storage.firstIndex();
        if (t !== maxCommitted.term && !(t === undefined && maxCommitted.index < first)) {
          fail(
            `leader ${n.id} of term ${st.term} lacks committed entry ${maxCommitted.index}/${maxCommitted.term} (has term ${t})`,
          );
        }
      }
    }
  };

  const applyEntries = (n: SimNode, ents: readonly Entry[]) => {
    for (const e of ents) {
      if (e.index !== n.appliedIndex + 1)
        fail(`${n.id} applied ${e.index} after ${n.appliedIndex} (gap or repeat)`);
      n.appliedIndex = e.index;
      const key = e.type === EntryType.Normal ? dec.decode(e.data) : `#conf`;
      const k = `${key}@${e.term}`;
      const seen = appliedAt.get(e.index);
      if (seen === undefined) appliedAt.set(e.index, k);
      else if (seen !== k)
        fail(`state machine safety: index ${e.index} applied as ${seen} and as ${k} (${n.id})`);
      if (e.index > maxCommitted.index) maxCommitted = { index: e.index, term: e.term };
      if (e.type === EntryType.Normal && e.data.byteLength > 0) {
        n.applied.set(e.index, key);
        acked.add(key);
      }
    }
  };

  const completeWrite = (n: SimNode) => {
    const rd = n.pending.shift()!;
    n.storage.saveSync({
      ...(rd.snapshot ? { snapshot: rd.snapshot } : {}),
      entries: rd.entries,
      ...(rd.hardState ? { hardState: rd.hardState } : {}),
    });
    const pc = n.storage.getHardState().commit;
    if (pc < (persistedCommit.get(n.id) ?? 0)) fail(`${n.id} persisted commit went back`);
    persistedCommit.set(n.id, pc);
    for (const m of rd.persistedMessages) send(m);
    n.raw!.persisted(rd);
    if (rd.snapshot) {
      snapshotsInstalled++;
      const items = JSON.parse(dec.decode(rd.snapshot.data)) as [number, string][];
      n.applied = new Map(items);
      n.appliedIndex = rd.snapshot.metadata.index;
      n.appliedConf = rd.snapshot.metadata.confState;
      for (const [i, d] of items) {
        const seen = appliedAt.get(i);
        if (seen !== undefined && !seen.startsWith(`${d}@`))
          fail(`snapshot content at ${i} differs: ${d} vs ${seen}`);
      }
    }
    applyEntries(n, rd.committedEntries);
    for (const ch of n.raw!.applied(rd)) {
      if (!ch.error) n.appliedConf = ch.confState;
      else confErrors++; // a change validated earlier but no longer applicable: ignored by every node alike
    }
  };

  const collect = (n: SimNode) => {
    if (!n.raw) return;
    while (n.raw.hasReady()) {
      const rd = n.raw.ready();
      // Log matching: same (index, term) means same entry and same history.
      rd.entries.forEach((e, k) => {
        const prevTerm = k > 0 ? rd.entries[k - 1]!.term : n.raw!.term(e.index - 1);
        const key = `${e.index}/${e.term}`;
        const val = `${e.type}:${dec.decode(e.data)}|${prevTerm ?? '?'}`;
        const seen = logRegistry.get(key);
        if (seen === undefined) logRegistry.set(key, val);
        else if (
          seen !== val &&
          !(seen.endsWith('|?') || val.endsWith('|?')) &&
          seen.split('|')[0] !== val.split('|')[0]
        ) {
          fail(`log matching: entry ${key} is ${seen} on one node and ${val} on ${n.id}`);
        } else if (seen.split('|')[0] !== val.split('|')[0]) {
          fail(`log matching: entry ${key} differs (${seen} vs ${val}) on ${n.id}`);
        } else if (!seen.endsWith('|?') && !val.endsWith('|?') && seen !== val) {
          fail(`log matching: history before ${key} differs (${seen} vs ${val}) on ${n.id}`);
        }
      });
      for (const m of rd.messages) send(m);
      n.pending.push(rd);
      if (!chance(persistDelay)) while (n.pending.length > 0) completeWrite(n);
      checkLeader(n);
    }
  };

  const crash = (n: SimNode, downFor: number) => {
    crashes++;
    n.raw = undefined;
    n.pending = []; // unpersisted writes are lost
    n.downUntil = now + downFor;
  };

  const restart = (n: SimNode) => {
    n.raw = open(n);
    restoreStateMachine(n);
    n.lastCommit = 0;
    n.downUntil = -1;
    collect(n);
  };

  const takeSnapshot = (n: SimNode) => {
    if (!n.raw || n.pending.length > 0 || n.appliedIndex === 0) return;
    const idx = n.appliedIndex;
    const term = n.raw.term(idx);
    if (term === undefined || idx <= n.storage.snapshot().metadata.index) return;
    const items = [...n.applied.entries()].filter(([i]) => i <= idx);
    n.storage.createSnapshotSync({
      metadata: { index: idx, term, confState: n.appliedConf },
      data: enc.encode(JSON.stringify(items)),
    });
    n.storage.compactSync(Math.max(n.storage.firstIndex() - 1, idx - rnd.intn(5)));
  };

  /** The current leader proposes a membership change: re-add, promote, demote, remove, or a joint swap. */
  const changeMembership = () => {
    const leader = [...nodes.values()].find((n) => n.raw?.raft.role === 'leader');
    if (!leader) return;
    const cs = leader.raw!.confState();
    const members = new Set([...cs.voters, ...cs.learners]);
    const outsiders = ids.filter((id) => !members.has(id));
    const pick = <T>(xs: readonly T[]) => xs[rnd.intn(xs.length)]!;
    let cc: ConfChange | undefined;
    const single = (type: ConfChangeType, nodeId: string): ConfChange => ({
      transition: ConfChangeTransition.Auto,
      changes: [{ type, nodeId }],
    });
    const r = rnd.intn(5);
    if (r === 0 && outsiders.length > 0)
      cc = single(chance(0.5) ? ConfChangeType.AddVoter : ConfChangeType.AddLearner, pick(outsiders));
    else if (r === 1 && cs.learners.length > 0) cc = single(ConfChangeType.AddVoter, pick(cs.learners));
    else if (r === 2 && cs.voters.length > 3) cc = single(ConfChangeType.AddLearner, pick(cs.voters));
    else if (r === 3 && cs.voters.length > 2) cc = single(ConfChangeType.RemoveNode, pick(cs.voters));
    else if (r === 4 && outsiders.length > 0 && cs.voters.length > 2) {
      cc = {
        transition: ConfChangeTransition.Auto,
        changes: [
          { type: ConfChangeType.AddVoter, nodeId: pick(outsiders) },
          { type: ConfChangeType.RemoveNode, nodeId: pick(cs.voters) },
        ],
      };
    }
    if (!cc) return;
    try {
      leader.raw!.proposeConfChange(cc);
      confChanges++;
    } catch (err) {
      if (!(err instanceof InvalidConfChangeError) && !(err instanceof ProposalDroppedError)) throw err;
    }
    collect(leader);
  };

  const propose = () => {
    const live = [...nodes.values()].filter((n) => n.raw);
    if (live.length === 0) return;
    const n = live[rnd.intn(live.length)]!;
    const data = `s${seed}p${proposalSeq++}`;
    proposals.set(data, { proposedAt: now });
    tryPropose(n, data);
  };

  const tryPropose = (n: SimNode, data: string) => {
    try {
      n.raw!.propose(enc.encode(data));
    } catch (err) {
      if (!(err instanceof ProposalDroppedError) && !(err instanceof NotLeaderError)) throw err;
    }
    collect(n);
  };

  const deliverDue = () => {
    // Deliver in (time, random) order: same-time messages are reordered.
    const due: InFlight[] = [];
    const later: InFlight[] = [];
    for (const f of inflight) (f.at <= now ? due : later).push(f);
    inflight = later;
    for (let i = due.length - 1; i > 0; i--) {
      const j = rnd.intn(i + 1);
      [due[i], due[j]] = [due[j]!, due[i]!];
    }
    for (const f of due) {
      if (cuts.has(`${f.m.from}>${f.m.to}`)) continue;
      const n = nodes.get(f.m.to);
      if (!n?.raw) continue;
      n.raw.step(f.m);
      collect(n);
    }
  };

  const subStep = (chaos: boolean) => {
    now++;
    deliverDue();
    for (const n of nodes.values()) {
      if (n.raw && n.pending.length > 0 && !chance(persistDelay)) {
        completeWrite(n);
        collect(n);
      }
    }
    if (!chaos) return;
    for (const n of nodes.values()) {
      if (!n.raw && n.downUntil <= now) restart(n);
      else if (n.raw && chance(crashRate / 4)) crash(n, 1 + rnd.intn(40));
      else if (n.raw && chance(snapshotRate / 4)) takeSnapshot(n);
    }
    if (chance(partitionRate / 4)) {
      cuts = new Set();
      const kind = rnd.intn(3);
      if (kind === 0) {
        // symmetric partition into two sides
        const side = new Set(ids.filter(() => chance(0.5)));
        for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) cuts.add(`${a}>${b}`);
      } else if (kind === 1) {
        // one-way cuts
        for (const a of ids) for (const b of ids) if (a !== b && chance(0.3)) cuts.add(`${a}>${b}`);
      }
      // kind 2: heal
    }
    if (chance(0.15)) propose();
    if (confRate > 0 && chance(confRate)) changeMembership();
  };

  const tick = (chaos: boolean) => {
    for (const n of nodes.values()) {
      if (!n.raw) continue;
      n.raw.tick();
      collect(n);
    }
    for (let s = 0; s < 4; s++) subStep(chaos);
  };

  for (let t = 0; t < chaosTicks; t++) tick(true);

  // Heal: no faults, every node up, every write completes promptly.
  cuts = new Set();
  for (const n of nodes.values()) if (!n.raw) restart(n);
  const noFaults = () => {
    while ([...nodes.values()].some((n) => n.pending.length > 0)) {
      for (const n of nodes.values())
        while (n.pending.length > 0) {
          completeWrite(n);
          collect(n);
        }
    }
  };
  const finalMembers = (): SimNode[] => {
    const leader = [...nodes.values()].find((n) => n.raw!.raft.role === 'leader');
    if (!leader) return [...nodes.values()];
    const cs = leader.raw!.confState();
    const ms = new Set([...cs.voters, ...cs.learners, ...cs.votersOutgoing]);
    return [...nodes.values()].filter((n) => ms.has(n.id));
  };
  const allApplied = () =>
    finalMembers().every((n) => {
      if (n.applied.size < proposals.size) return false;
      const have = new Set(n.applied.values());
      for (const d of proposals.keys()) if (!have.has(d)) return false;
      return true;
    });
  let healed = false;
  for (let t = 0; t < healTicks; t++) {
    for (const n of nodes.values()) {
      n.raw!.tick();
      collect(n);
    }
    for (let s = 0; s < 4; s++) {
      now++;
      const due = inflight.filter((f) => f.at <= now);
      inflight = inflight.filter((f) => f.at > now);
      for (const f of due) {
        const n = nodes.get(f.m.to);
        if (!n?.raw) continue;
        n.raw.step(f.m);
        collect(n);
      }
      noFaults();
    }
    const leader = [...nodes.values()].find((n) => n.raw!.raft.role === 'leader');
    if (leader && t % 10 === 0) {
      // Clients retry proposals that have not been applied anywhere yet.
      for (const [data] of proposals) if (!acked.has(data)) tryPropose(leader, data);
    }
    if (leader && t % 5 === 0 && allApplied()) {
      healed = true;
      break;
    }
  }
  if (!healed) {
    const missing = [...proposals.keys()].filter(
      (d) => !finalMembers().every((n) => [...n.applied.values()].includes(d)),
    );
    const st = [...nodes.values()].map(
      (n) =>
        `${n.id}:${n.raw!.status().role}/t${n.raw!.status().term}/c${n.raw!.status().commit}/a${n.appliedIndex}`,
    );
    fail(
      `liveness: after healing for ${healTicks} ticks, leader=${[...nodes.values()].some((n) => n.raw!.status().role === 'leader')}, ${missing.length} proposals not applied everywhere (${missing.slice(0, 3).join(',')}); ${st.join(' ')}`,
    );
  }
  // No acknowledged proposal lost: every member's state machine holds every acked command.
  for (const n of finalMembers()) {
    const have = new Set(n.applied.values());
    for (const d of acked) if (!have.has(d)) fail(`acknowledged proposal ${d} missing on ${n.id}`);
  }
  return {
    seed,
    committed: maxCommitted.index,
    proposals: proposals.size,
    crashes,
    snapshotsInstalled,
    leadersElected: leaderOfTerm.size,
    confChanges,
    confErrors,
  };
}
