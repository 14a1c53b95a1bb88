/**
 * Deterministic simulation of a Raft cluster of RawNodes over a seeded,
 * hostile network. Writes and applies are pipelined and late (several Readies
 * outstanding, acknowledged in order; applies and snapshot restores may take
 * many ticks), crashes lose every write not yet complete (the commit index
 * included), clusters start with one, two or more voters, membership changes
 * include the leader removing or demoting itself and joint configurations,
 * and lease-mode seeds add forced campaigns and abandoned transfers. Every
 * step is checked against Raft's safety properties and linearizable reads;
 * after faults heal, a leader and a committed proposal must appear within a
 * bound. A run is a pure function of its seed.
 */
import { InvalidConfChangeError, NotLeaderError, ProposalDroppedError } from '../../src/errors.js';
import { MemoryStorage } from '../../src/memory-storage.js';
import { createSeededRandom } from '../../src/random.js';
import { RawNode } from '../../src/raw-node.js';
import { contextKey } from '../../src/read-only.js';
import type { Ready } from '../../src/ready.js';
import type { ConfState, Entry, Message, NodeId } from '../../src/types.js';
import { EntryType, MessageType } from '../../src/types.js';
import { randomConfChange } from './conf-gen.js';
import { commitSafetyViolation, confKey } from './invariants.js';
import { drawProfile } from './profile.js';
import {
  type InFlight,
  type SimNode,
  type SimOptions,
  type SimResult,
  SimulationFailure,
} from './sim-types.js';

const enc = new TextEncoder();
const textDecoder = new TextDecoder();
/** Entry data are shared by reference between simulated nodes: decode each array once. */
const decoded = new WeakMap<Uint8Array, string>();
const dec = (b: Uint8Array): string => {
  let s = decoded.get(b);
  if (s === undefined) {
    s = textDecoder.decode(b);
    decoded.set(b, s);
  }
  return s;
};

export { type SimOptions, type SimResult, SimulationFailure } from './sim-types.js';

export function runSimulation(opts: SimOptions): SimResult {
  const { seed } = opts;
  const rnd = createSeededRandom(seed);
  const chance = (p: number) => rnd.next() < p;
  const fail = (what: string): never => {
    throw new SimulationFailure(seed, what);
  };
  const P = drawProfile(seed, rnd, opts.shape);
  const ids = Array.from({ length: P.voters + P.learners }, (_, i) => `n${i + 1}`);
  const initialConf: ConfState = {
    voters: ids.slice(0, P.voters),
    learners: ids.slice(P.voters),
    votersOutgoing: [],
    learnersNext: [],
    autoLeave: false,
  };
  const chaosTicks = opts.chaosTicks ?? 60;
  // One entry per append with one append in flight (and tiny snapshot chunks) catches up slowly.
  const healTicks = opts.healTicks ?? (P.maxInflightMsgs === 1 && P.maxSizePerMsg === 1 ? 800 : 300);

  const nodes = new Map<NodeId, SimNode>();
  let now = 0;
  let inflight: InFlight[] = [];
  let cuts = new Set<string>();
  const leaderOfTerm = new Map<number, NodeId>();
  /** (index, term) -> entry and previous term: log matching registry. */
  const logRegistry = new Map<string, string>();
  /** Globally applied entries: index -> data key (state machine safety). */
  const appliedAt = new Map<number, string>();
  /** Configuration of every node that applied exactly up to an index with nothing pending. */
  const confAt = new Map<number, string>();
  let maxCommitted = { index: 0, term: 0 };
  const persistedCommit = new Map<NodeId, number>();
  /** Commit-only Readies acknowledged before their save completed (see `collect`). */
  const ackedBeforeSave = new WeakSet<Ready>();
  let ackedEarly = 0;
  /** Configuration keys, cached per configuration object (the core replaces it on every change). */
  const confKeys = new WeakMap<object, string>();
  const keyOf = (o: object, cs: () => ConfState): string => {
    let k = confKeys.get(o);
    if (k === undefined) {
      k = confKey(cs());
      confKeys.set(o, k);
    }
    return k;
  };
  const proposals = new Set<string>();
  const acked = new Set<string>();
  /** Outstanding reads: context -> the highest index applied anywhere when the read was issued. */
  const reads = new Map<string, number>();
  let proposalSeq = 0;
  let readSeq = 0;
  let readsChecked = 0;
  let crashes = 0;
  let snapshotsInstalled = 0;
  let confChanges = 0;
  let confErrors = 0;
  let superseded = 0;

  const open = (n: SimNode): RawNode => {
    const snap = n.storage.snapshot();
    const md = snap.metadata.index > 0 ? snap.metadata : { index: 0, term: 0, confState: initialConf };
    return new RawNode(
      {
        id: n.id,
        electionTick: 10,
        heartbeatTick: 1,
        preVote: P.preVote,
        checkQuorum: P.checkQuorum,
        ...(P.lease ? { readOnlyOption: 'lease-based' as const, leaseClockDriftTicks: 1 + rnd.intn(3) } : {}),
        maxSizePerMsg: P.maxSizePerMsg,
        maxInflightMsgs: P.maxInflightMsgs,
        random: createSeededRandom(seed * 7919 + n.id.charCodeAt(1) * 31 + crashes),
        maxSnapshotChunkBytes: 8 + rnd.intn(64),
      },
      n.storage,
      { hardState: n.storage.getHardState(), snapshotMetadata: md },
    );
  };

  /** The state machine after a restart: the latest snapshot (committed entries are replayed). */
  const restoreStateMachine = (n: SimNode) => {
    const snap = n.storage.snapshot();
    n.applied = new Map();
    n.appliedConf = initialConf;
    if (snap.metadata.index > 0) {
      for (const [i, d] of JSON.parse(dec(snap.data)) as [number, string][]) n.applied.set(i, d);
      n.appliedConf = snap.metadata.confState;
    }
    n.appliedIndex = snap.metadata.index;
  };

  for (const id of ids) {
    const n: SimNode = {
      id,
      storage: new MemoryStorage(),
      raw: undefined,
      writes: [],
      applies: [],
      applied: new Map(),
      appliedIndex: 0,
      appliedConf: initialConf,
      lastCommit: 0,
      downUntil: -1,
    };
    n.raw = open(n);
    nodes.set(id, n);
  }
  const live = () => [...nodes.values()].filter((n) => n.raw);
  /** The leader of the highest term (a removed ex-leader may still think it leads an older one). */
  const currentLeader = (): SimNode | undefined => {
    let best: SimNode | undefined;
    for (const n of nodes.values()) {
      const r = n.raw?.raft;
      if (r?.role === 'leader' && (!best || r.term > best.raw!.raft.term)) best = n;
    }
    return best;
  };

  const send = (m: Message) => {
    if (cuts.has(`${m.from}>${m.to}`)) return;
    if (chance(P.dropRate)) return;
    let delay = rnd.intn(P.maxDelay + 1);
    // A late TimeoutNow arrives after the transfer was abandoned (lease mode must not trust the lease).
    if (m.type === MessageType.TimeoutNow && chance(P.lateTimeoutNow)) delay = 40 + rnd.intn(40);
    inflight.push({ at: now + delay, m });
    if (chance(P.dupRate)) inflight.push({ at: now + rnd.intn(P.maxDelay + 2), m });
  };

  const noteCommitted = (index: number, term: number) => {
    if (index > maxCommitted.index) maxCommitted = { index, term };
  };

  const checkLeader = (n: SimNode) => {
    const r = n.raw!.raft;
    if (r.log.committed < n.lastCommit)
      fail(`${n.id} commit index went back from ${n.lastCommit} to ${r.log.committed}`);
    n.lastCommit = r.log.committed;
    // A commit index claims its entry is committed: every later leader must hold it, applied or not.
    const ct = n.raw!.term(r.log.committed);
    if (ct !== undefined) noteCommitted(r.log.committed, ct);
    if (r.role !== 'leader') return;
    const prev = leaderOfTerm.get(r.term);
    if (prev !== undefined && prev !== n.id) fail(`two leaders in term ${r.term}: ${prev} and ${n.id}`);
    if (prev === undefined) {
      leaderOfTerm.set(r.term, n.id);
      // Leader completeness: the newest globally committed entry is in the new leader's log.
      if (maxCommitted.index > 0) {
        const t = n.raw!.term(maxCommitted.index);
        if (t !== maxCommitted.term && !(t === undefined && maxCommitted.index < n.storage.firstIndex())) {
          fail(
            `leader ${n.id} of term ${r.term} lacks committed entry ${maxCommitted.index}/${maxCommitted.term} (has term ${t})`,
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
      const key = e.type === EntryType.Normal ? dec(e.data) : '#conf';
      const k = `${key}@${e.term}`;
      const seen = appliedAt.get(e.index);
      if (seen === undefined) appliedAt.set(e.index, k);
      else if (seen !== k)
        fail(`state machine safety: index ${e.index} applied as ${seen} and as ${k} (${n.id})`);
      noteCommitted(e.index, e.term);
      if (e.type === EntryType.Normal && e.data.byteLength > 0) {
        n.applied.set(e.index, key);
        acked.add(key);
      }
    }
  };

  const completeWrite = (n: SimNode) => {
    const rd = n.writes.shift()!;
    n.storage.saveSync({
      ...(rd.snapshot ? { snapshot: rd.snapshot } : {}),
      entries: rd.entries,
      ...(rd.hardState ? { hardState: rd.hardState } : {}),
    });
    const pc = n.storage.getHardState().commit;
    if (pc < (persistedCommit.get(n.id) ?? 0)) fail(`${n.id} persisted commit went back`);
    persistedCommit.set(n.id, pc);
    if (!ackedBeforeSave.delete(rd)) acknowledgeWrite(n, rd);
  };

  /** `rd` counts as persisted: release what waited for it and schedule its apply. */
  const acknowledgeWrite = (n: SimNode, rd: Ready) => {
    for (const m of rd.persistedMessages) send(m);
    n.raw!.persisted(rd);
    let at = now + rnd.intn(P.applyMax);
    if (rd.snapshot) at += rnd.intn(P.restoreMax);
    n.applies.push({ rd, at: Math.max(at, n.applies[n.applies.length - 1]?.at ?? 0) });
  };

  const completeApply = (n: SimNode) => {
    const { rd } = n.applies.shift()!;
    if (rd.snapshot) {
      snapshotsInstalled++;
      const items = JSON.parse(dec(rd.snapshot.data)) as [number, string][];
      n.applied = new Map(items);
      n.appliedIndex = rd.snapshot.metadata.index;
      n.appliedConf = rd.snapshot.metadata.confState;
      noteCommitted(rd.snapshot.metadata.index, rd.snapshot.metadata.term);
      for (const [i, d] of items) {
        const seen = appliedAt.get(i);
        if (seen !== undefined && !seen.startsWith(`${d}@`))
          fail(`snapshot content at ${i} differs: ${d} vs ${seen}`);
      }
    }
    applyEntries(n, rd.committedEntries);
    for (const ch of n.raw!.applied(rd)) {
      if (ch.superseded) superseded++;
      if (ch.error)
        confErrors++; // validated earlier but no longer applicable: ignored by every node alike
      else n.appliedConf = ch.confState;
    }
    if (n.writes.length === 0 && n.applies.length === 0) {
      // Same applied prefix, same configuration: a node that applied a membership entry twice would differ.
      const r = n.raw!.raft;
      const cs = keyOf(r.trk.config, () => n.raw!.confState());
      if (cs !== keyOf(n.appliedConf, () => n.appliedConf))
        fail(`${n.id}: core configuration ${cs} differs from the applied one`);
      const idx = r.log.applied;
      const seen = confAt.get(idx);
      if (seen === undefined) confAt.set(idx, cs);
      else if (seen !== cs)
        fail(`configuration at applied index ${idx} is ${seen} on one node and ${cs} on ${n.id}`);
    }
  };

  /** Completes due applies of `n` (all of them when `force`). */
  const runApplies = (n: SimNode, force: boolean) => {
    while (n.raw && n.applies.length > 0 && (force || n.applies[0]!.at <= now)) completeApply(n);
  };

  const collect = (n: SimNode) => {
    if (!n.raw) return;
    while (n.raw.hasReady()) {
      const rd = n.raw.ready();
      // Log matching: same (index, term) means same entry and same history.
      rd.entries.forEach((e, k) => {
        const prevTerm = k > 0 ? rd.entries[k - 1]!.term : n.raw!.term(e.index - 1);
        const key = `${e.index}/${e.term}`;
        const val = `${e.type}:${dec(e.data)}|${prevTerm ?? '?'}`;
        const seen = logRegistry.get(key);
        if (seen === undefined) logRegistry.set(key, val);
        else if (seen.split('|')[0] !== val.split('|')[0])
          fail(`log matching: entry ${key} differs (${seen} vs ${val}) on ${n.id}`);
        else if (!seen.endsWith('|?') && !val.endsWith('|?') && seen !== val)
          fail(`log matching: history before ${key} differs (${seen} vs ${val}) on ${n.id}`);
      });
      // Linearizable reads: the read index covers every write applied anywhere before the read began.
      for (const rs of rd.readStates) {
        const key = contextKey(rs.context);
        const floor = reads.get(key);
        if (floor === undefined) continue;
        reads.delete(key);
        readsChecked++;
        if (rs.index < floor)
          fail(`stale read on ${n.id}: read index ${rs.index}, but ${floor} was applied before the read`);
      }
      for (const m of rd.messages) send(m);
      n.writes.push(rd);
      // As RaftNode does: a commit-only Ready (mustSync false) whose earlier writes are all durable
      // (or themselves commit-only) is acknowledged and applied before its own save completes;
      // a crash still loses that save, commit index included.
      if (
        opts.commitOnlyBeforeSave &&
        !rd.mustSync &&
        n.writes.every((w) => w === rd || ackedBeforeSave.has(w))
      ) {
        ackedEarly++;
        ackedBeforeSave.add(rd);
        acknowledgeWrite(n, rd);
      }
      if (!chance(P.persistDelay)) while (n.writes.length > 0) completeWrite(n);
      runApplies(n, false);
      checkLeader(n);
    }
  };

  const crash = (n: SimNode, downFor: number) => {
    crashes++;
    n.raw = undefined;
    n.writes = []; // incomplete writes are lost, the commit index in them too
    n.applies = [];
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
    // Not while a received snapshot is pending: the core already switched to its configuration, so the
    // applied prefix's configuration would be unknown. Other pending writes and applies are fine.
    if (!n.raw || n.appliedIndex === 0) return;
    if (n.writes.some((rd) => rd.snapshot) || n.applies.some((a) => a.rd.snapshot)) return;
    const idx = n.appliedIndex;
    const term = n.raw.term(idx);
    if (term === undefined || idx <= n.storage.snapshot().metadata.index) return;
    const items = [...n.applied.entries()].filter(([i]) => i <= idx);
    n.storage.createSnapshotSync({
      metadata: { index: idx, term, confState: n.appliedConf },
      data: enc.encode(JSON.stringify(items)),
    });
    n.storage.compactSync(Math.max(n.storage.firstIndex() - 1, idx - rnd.intn(P.keepAfterSnapshot + 1)));
  };

  const local = (n: SimNode, f: () => void) => {
    try {
      f();
    } catch (err) {
      if (
        !(err instanceof ProposalDroppedError) &&
        !(err instanceof NotLeaderError) &&
        !(err instanceof InvalidConfChangeError)
      )
        throw err;
    }
    collect(n);
  };

  const changeMembership = () => {
    const leader = currentLeader();
    if (!leader) return;
    const cc = randomConfChange(rnd, ids, leader.id, leader.raw!.confState());
    if (!cc) return;
    confChanges++;
    local(leader, () => leader.raw!.proposeConfChange(cc));
  };

  const tryPropose = (n: SimNode, data: string) => local(n, () => n.raw!.propose(enc.encode(data)));
  const randomLive = (): SimNode | undefined => {
    const l = live();
    return l.length === 0 ? undefined : l[rnd.intn(l.length)];
  };

  const propose = () => {
    const n = randomLive();
    if (!n) return;
    const data = `s${seed}p${proposalSeq++}`;
    proposals.add(data);
    // Without a known leader the proposal is dropped anyway; skip building the error.
    if (n.raw!.raft.lead !== '') tryPropose(n, data);
  };

  const read = () => {
    const n = randomLive();
    if (!n) return;
    const ctx = `s${seed}r${readSeq++}`;
    reads.set(ctx, maxCommitted.index);
    if (n.raw!.raft.lead !== '') local(n, () => n.raw!.readIndex(enc.encode(ctx)));
  };

  const deliver = (f: InFlight) => {
    if (cuts.has(`${f.m.from}>${f.m.to}`)) return;
    const n = nodes.get(f.m.to);
    if (!n?.raw) return;
    n.raw.step(f.m);
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
    for (const f of due) deliver(f);
  };

  const partition = () => {
    cuts = new Set();
    const kind = rnd.intn(3);
    if (kind === 0) {
      const side = new Set(ids.filter(() => chance(0.5)));
      for (const a of ids) for (const b of ids) if (side.has(a) !== side.has(b)) cuts.add(`${a}>${b}`);
    } else if (kind === 1) {
      for (const a of ids) for (const b of ids) if (a !== b && chance(0.3)) cuts.add(`${a}>${b}`);
    }
    // kind 2: heal
  };

  /** Commit safety on the durable logs (see invariants.ts); only while membership never changes. */
  const checkCommitSafety = () => {
    if (P.confRate > 0 || maxCommitted.index === 0) return;
    const voters = initialConf.voters.map((id) => nodes.get(id)!);
    const bad = commitSafetyViolation(voters, maxCommitted);
    if (bad) fail(bad);
  };

  const subStep = () => {
    checkCommitSafety();
    now++;
    deliverDue();
    for (const n of nodes.values()) {
      if (!n.raw) continue;
      if (n.writes.length > 0 && !chance(P.persistDelay)) completeWrite(n);
      runApplies(n, false);
      collect(n);
    }
    for (const n of nodes.values()) {
      if (!n.raw && n.downUntil <= now) restart(n);
      else if (n.raw && chance(P.crashRate / 4)) crash(n, 1 + rnd.intn(40));
      else if (n.raw && chance(P.snapshotRate / 4)) takeSnapshot(n);
    }
    if (chance(P.partitionRate / 4)) partition();
    if (chance(P.proposeRate)) propose();
    if (chance(P.readRate)) read();
    if (P.confRate > 0 && chance(P.confRate)) changeMembership();
    if (chance(P.campaignRate)) {
      const n = randomLive();
      if (n) local(n, () => n.raw!.campaign());
    }
    if (chance(P.transferRate)) {
      const leader = currentLeader();
      const to = ids[rnd.intn(ids.length)]!;
      if (leader) local(leader, () => leader.raw!.transferLeader(to));
    }
  };

  const tick = () => {
    for (const n of nodes.values()) {
      if (!n.raw) continue;
      n.raw.tick();
      collect(n);
    }
  };

  for (let t = 0; t < chaosTicks; t++) {
    tick();
    for (let s = 0; s < 4; s++) subStep();
  }

  // Heal: no faults, every node up, every write and apply completes promptly.
  cuts = new Set();
  for (const n of nodes.values()) if (!n.raw) restart(n);
  const settle = () => {
    let busy = true;
    while (busy) {
      busy = false;
      for (const n of nodes.values()) {
        if (n.writes.length === 0 && n.applies.length === 0) continue;
        busy = true;
        while (n.writes.length > 0) completeWrite(n);
        runApplies(n, true);
        collect(n);
      }
    }
  };
  // After healing, a fresh proposal must commit too (liveness, whatever the membership now is).
  const fresh = `s${seed}heal`;
  proposals.add(fresh);
  const finalMembers = (): SimNode[] => {
    const leader = currentLeader();
    if (!leader) return [...nodes.values()];
    const cs = leader.raw!.confState();
    const ms = new Set([...cs.voters, ...cs.learners, ...cs.votersOutgoing]);
    return [...nodes.values()].filter((n) => ms.has(n.id));
  };
  const allApplied = () =>
    finalMembers().every((n) => {
      const have = new Set(n.applied.values());
      for (const d of proposals) if (!have.has(d)) return false;
      return true;
    });
  let healed = false;
  for (let t = 0; t < healTicks; t++) {
    tick();
    for (let s = 0; s < 4; s++) {
      now++;
      const due = inflight.filter((f) => f.at <= now);
      inflight = inflight.filter((f) => f.at > now);
      for (const f of due) deliver(f);
      settle();
    }
    const leader = currentLeader();
    if (leader && t % 10 === 0) {
      // Clients retry proposals that have not been applied anywhere yet.
      for (const data of proposals) if (!acked.has(data)) tryPropose(leader, data);
    }
    if (leader && t % 5 === 0 && allApplied()) {
      healed = true;
      break;
    }
  }
  if (!healed) {
    const missing = [...proposals].filter(
      (d) => !finalMembers().every((n) => [...n.applied.values()].includes(d)),
    );
    const st = [...nodes.values()].map((n) => {
      const s = n.raw!.status();
      return `${n.id}:${s.role}/t${s.term}/c${s.commit}/a${n.appliedIndex}/v${s.config.voters.join(',')}`;
    });
    fail(
      `liveness: after healing for ${healTicks} ticks, leader=${currentLeader()?.id ?? 'none'}, ${missing.length} proposals not applied everywhere (${missing.slice(0, 3).join(',')}); ${st.join(' ')}`,
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
    superseded,
    reads: readsChecked,
    ackedBeforeSave: ackedEarly,
  };
}
