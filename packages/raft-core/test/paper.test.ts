/**
 * Scenario tests for the rules of section 5 of the Raft paper ("In Search of
 * an Understandable Consensus Algorithm", Ongaro & Ousterhout), one test per
 * rule, named with the section. Our own scenarios over the same ground as
 * etcd's raft_paper_test.go.
 */
import { describe, expect, it } from 'vitest';
import { MessageType } from '../src/types.js';
import { Cluster, enc } from './support/harness.js';
import { ent, makeLeader, msg, newNode, readMessages } from './support/single-node.js';

const peers = ['1', '2', '3'];

describe('5.1 terms', () => {
  for (const role of ['follower', 'candidate', 'leader'] as const) {
    it(`5.1: a ${role} seeing a higher term adopts it and becomes follower`, () => {
      const d = newNode('1');
      if (role === 'candidate') d.raw.campaign();
      if (role === 'leader') makeLeader(d, peers);
      readMessages(d);
      expect(d.raw.status().role).toBe(role);
      d.raw.step(msg({ type: MessageType.App, from: '2', to: '1', term: 9 }));
      expect(d.raw.status().term).toBe(9);
      expect(d.raw.status().role).toBe('follower');
      expect(d.raw.status().leader).toBe('2');
    });
  }

  it('5.1: a message with a stale term is ignored', () => {
    const d = newNode('1', { hardState: { term: 2, vote: '', commit: 0 } });
    d.raw.step(msg({ type: MessageType.App, from: '2', to: '1', term: 1, entries: [ent(1, 1, 'x')] }));
    readMessages(d);
    expect(d.raw.status().lastIndex).toBe(0);
    expect(d.raw.status().term).toBe(2);
  });

  it('5.2: a server starts as a follower', () => {
    const d = newNode('1');
    expect(d.raw.status().role).toBe('follower');
    expect(d.raw.status().term).toBe(0);
  });
});

describe('5.2 leader election', () => {
  it('5.2: a leader sends heartbeats to every follower each heartbeat interval', () => {
    const d = newNode('1');
    makeLeader(d, peers);
    readMessages(d);
    d.raw.tick();
    const hb = readMessages(d).filter((m) => m.type === MessageType.Heartbeat);
    expect(hb.map((m) => m.to).sort()).toEqual(['2', '3']);
    expect(hb.every((m) => m.term === 1)).toBe(true);
  });

  it('5.2: a follower that hears nothing for an election timeout becomes candidate, votes for itself and asks all', () => {
    const d = newNode('1');
    let ticks = 0;
    while (d.raw.status().role === 'follower' && ticks < 100) {
      d.raw.tick();
      ticks++;
    }
    expect(ticks).toBeGreaterThanOrEqual(10);
    const votes = readMessages(d).filter((m) => m.type === MessageType.Vote);
    expect(d.raw.status().role).toBe('candidate');
    expect(d.raw.status().term).toBe(1);
    expect(d.raw.status().vote).toBe('1');
    expect(votes.map((m) => m.to).sort()).toEqual(['2', '3']);
  });

  it('5.2: a candidate whose election times out starts a new one in a new term', () => {
    const d = newNode('1');
    d.raw.campaign();
    readMessages(d);
    expect(d.raw.status().term).toBe(1);
    let ticks = 0;
    while (d.raw.status().term === 1 && ticks < 100) {
      d.raw.tick();
      ticks++;
    }
    expect(ticks).toBeGreaterThanOrEqual(10);
    const votes = readMessages(d).filter((m) => m.type === MessageType.Vote);
    expect(d.raw.status().role).toBe('candidate');
    expect(d.raw.status().term).toBe(2);
    expect(votes.every((m) => m.term === 2)).toBe(true);
  });

  const outcomes: [string, number, Record<string, boolean>, string][] = [
    ['wins with all votes', 3, { '2': true, '3': true }, 'leader'],
    ['wins with a majority', 3, { '2': true }, 'leader'],
    ['wins a 5-node election with 3 votes', 5, { '2': true, '3': true }, 'leader'],
    ['waits without a majority', 5, { '2': true }, 'candidate'],
    ['loses on a majority of rejections', 3, { '2': false, '3': false }, 'follower'],
    ['keeps waiting on a split', 5, { '2': true, '3': false, '4': false }, 'candidate'],
  ];
  for (const [name, size, votes, want] of outcomes) {
    it(`5.2: election in one round: ${name}`, () => {
      const ids = Array.from({ length: size }, (_, i) => String(i + 1));
      const d = newNode('1', { peers: ids });
      d.raw.campaign();
      readMessages(d);
      for (const [from, granted] of Object.entries(votes)) {
        d.raw.step(msg({ type: MessageType.VoteResp, from, to: '1', term: 1, reject: !granted }));
      }
      readMessages(d);
      expect(d.raw.status().role).toBe(want);
    });
  }

  it('5.2: each server votes for at most one candidate per term, first come first served', () => {
    const d = newNode('1');
    d.raw.step(msg({ type: MessageType.Vote, from: '2', to: '1', term: 1 }));
    const first = readMessages(d).find((m) => m.type === MessageType.VoteResp)!;
    expect(first.reject).toBe(false);
    d.raw.step(msg({ type: MessageType.Vote, from: '3', to: '1', term: 1 }));
    const second = readMessages(d).find((m) => m.type === MessageType.VoteResp)!;
    expect(second.reject).toBe(true);
    d.raw.step(msg({ type: MessageType.Vote, from: '2', to: '1', term: 1 }));
    expect(readMessages(d).find((m) => m.type === MessageType.VoteResp)!.reject).toBe(false);
    expect(d.storage.getHardState().vote).toBe('2'); // the vote is durable before the reply goes out
  });

  it('5.2: a candidate that hears from a leader of at least its term falls back to follower', () => {
    for (const term of [1, 2]) {
      const d = newNode('1');
      d.raw.campaign();
      readMessages(d);
      d.raw.step(msg({ type: MessageType.App, from: '2', to: '1', term }));
      expect(d.raw.status().role).toBe('follower');
      expect(d.raw.status().term).toBe(term);
      expect(d.raw.status().leader).toBe('2');
    }
  });

  it('5.2: election timeouts are randomised within [electionTimeout, 2 * electionTimeout)', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const d = newNode('1', { config: { random: { intn: (n) => seed % n } } });
      let t = 0;
      while (d.raw.status().role === 'follower') {
        d.raw.tick();
        t++;
      }
      expect(t).toBeGreaterThanOrEqual(10);
      expect(t).toBeLessThan(20);
      seen.add(t);
    }
    expect(seen.size).toBe(10);
  });

  it('5.2: randomised timeouts make simultaneous candidates rare', () => {
    let conflicts = 0;
    for (let round = 0; round < 300; round++) {
      const c = new Cluster(['1', '2', '3', '4', '5'], { seed: round });
      let candidates = 0;
      while (candidates === 0) {
        for (const n of c.nodes.values()) n.raw.tick();
        candidates = [...c.nodes.values()].filter((n) => n.status.role !== 'follower').length;
      }
      if (candidates > 1) conflicts++;
    }
    expect(conflicts / 300).toBeLessThan(0.3);
  });
});

describe('5.3 log replication', () => {
  it('5.3: the leader appends a proposal and sends it with the preceding index, term and its commit', () => {
    const d = newNode('1');
    makeLeader(d, peers, { ackNoop: true });
    d.raw.propose(enc('some data'));
    const apps = readMessages(d).filter((m) => m.type === MessageType.App);
    expect(apps.map((m) => m.to).sort()).toEqual(['2', '3']);
    for (const m of apps) {
      expect(m.index).toBe(1);
      expect(m.logTerm).toBe(1);
      expect(m.commit).toBe(1);
      expect(m.entries.map((e) => e.index)).toEqual([2]);
      expect(new TextDecoder().decode(m.entries.at(-1)!.data)).toBe('some data');
    }
    expect(d.raw.status().lastIndex).toBe(2);
  });

  it('5.3: an entry replicated on a majority is committed and the new commit index reaches followers', () => {
    const c = new Cluster(peers);
    c.elect('1');
    c.cut('1', '3');
    c.propose('1', 'x');
    expect(c.node('1').status.commit).toBe(2);
    expect(c.node('2').status.commit).toBe(2);
    expect(c.node('2').appliedData()).toEqual(['x']);
  });

  const acks: [number, string[], boolean][] = [
    [1, [], true],
    [3, [], false],
    [3, ['2'], true],
    [5, ['2'], false],
    [5, ['2', '3'], true],
  ];
  for (const [size, ackers, committed] of acks) {
    it(`5.3: leader acknowledges commit only with a majority (${size} nodes, acks from ${ackers.join(',') || 'nobody'})`, () => {
      const ids = Array.from({ length: size }, (_, i) => String(i + 1));
      const d = newNode('1', { peers: ids });
      makeLeader(d, ids);
      readMessages(d);
      d.raw.propose(enc('x'));
      readMessages(d);
      for (const a of ackers)
        d.raw.step(msg({ type: MessageType.AppResp, from: a, to: '1', term: 1, index: 2 }));
      readMessages(d);
      expect(d.raw.status().commit === 2).toBe(committed);
    });
  }

  it("5.3: committing an entry also commits every preceding entry, including earlier leaders'", () => {
    const d = newNode('1', {
      entries: [ent(1, 1, 'a'), ent(2, 2, 'b')],
      hardState: { term: 2, vote: '', commit: 0 },
    });
    makeLeader(d, peers);
    readMessages(d);
    d.raw.propose(enc('c'));
    readMessages(d);
    d.raw.step(msg({ type: MessageType.AppResp, from: '2', to: '1', term: 3, index: 4 }));
    readMessages(d);
    expect(d.raw.status().commit).toBe(4);
    expect(d.applied.map((e) => new TextDecoder().decode(e.data))).toEqual(['a', 'b', '', 'c']);
  });

  it('5.3: a follower applies entries once it learns they are committed', () => {
    const d = newNode('2');
    d.raw.step(
      msg({
        type: MessageType.App,
        from: '1',
        to: '2',
        term: 1,
        entries: [ent(1, 1, 'a'), ent(2, 1, 'b')],
        commit: 0,
      }),
    );
    readMessages(d);
    expect(d.applied).toEqual([]);
    d.raw.step(msg({ type: MessageType.App, from: '1', to: '2', term: 1, index: 2, logTerm: 1, commit: 1 }));
    readMessages(d);
    expect(d.applied.map((e) => e.index)).toEqual([1]);
    d.raw.step(msg({ type: MessageType.Heartbeat, from: '1', to: '2', term: 1, commit: 2 }));
    readMessages(d);
    expect(d.applied.map((e) => e.index)).toEqual([1, 2]);
  });

  const checks: [number, number, boolean, number][] = [
    [0, 0, false, 0], // matches the empty log
    [2, 2, false, 0], // matches
    [2, 1, true, 1], // term mismatch at 2: the hint skips back to the last entry of term <= 1
    [3, 3, true, 2], // past the end: hint is our last index
  ];
  for (const [index, logTerm, reject, hint] of checks) {
    it(`5.3: consistency check of an append after ${index}/${logTerm} ${reject ? 'rejects' : 'accepts'}`, () => {
      const d = newNode('2', {
        entries: [ent(1, 1), ent(2, 2)],
        hardState: { term: 2, vote: '', commit: 1 },
      });
      d.raw.step(msg({ type: MessageType.App, from: '1', to: '2', term: 2, index, logTerm, commit: 1 }));
      const resp = readMessages(d).find((m) => m.type === MessageType.AppResp)!;
      expect(resp.reject).toBe(reject);
      if (reject) expect(resp.rejectHint).toBe(hint);
    });
  }

  it('5.3: a follower deletes a conflicting entry and everything after it, then appends', () => {
    const d = newNode('2', {
      entries: [ent(1, 1), ent(2, 2), ent(3, 2)],
      hardState: { term: 2, vote: '', commit: 1 },
    });
    d.raw.step(
      msg({
        type: MessageType.App,
        from: '1',
        to: '2',
        term: 3,
        index: 1,
        logTerm: 1,
        entries: [ent(2, 3, 'new')],
      }),
    );
    readMessages(d);
    expect(d.raw.status().lastIndex).toBe(2);
    expect(d.raw.term(2)).toBe(3);
    expect(d.storage.lastIndex()).toBe(2);
    expect(d.storage.term(2)).toBe(3);
  });

  it('5.3: a leader brings followers with missing, extra and conflicting entries in line (figure 7)', () => {
    const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const followerLogs = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6], // (a) missing one
      [1, 1, 1, 4], // (b) missing many
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6], // (c) one extra
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7], // (d) extra of a later term
      [1, 1, 1, 4, 4, 4, 4], // (e) conflicting
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3], // (f) conflicting terms
    ];
    for (const flog of followerLogs) {
      const c = new Cluster(peers);
      const toEnts = (terms: number[]) => terms.map((t, i) => ent(i + 1, t, `${i + 1}/${t}`));
      c.seed({
        '1': { entries: toEnts(leaderLog), term: 8 },
        '2': { entries: toEnts(flog), term: 8 },
        '3': { entries: toEnts(leaderLog), term: 8 },
      });
      c.elect('1');
      expect(c.node('1').status.role).toBe('leader');
      c.propose('1', 'sync');
      const l = c.node('1').raw;
      const f = c.node('2').raw;
      expect(f.status().lastIndex).toBe(l.status().lastIndex);
      for (let i = 1; i <= l.status().lastIndex; i++) expect(f.term(i)).toBe(l.term(i));
    }
  });
});

describe('5.4 safety', () => {
  it("5.4.1: vote requests carry the candidate's last log index and term", () => {
    const d = newNode('1', { entries: [ent(1, 1), ent(2, 2)], hardState: { term: 2, vote: '', commit: 0 } });
    d.raw.campaign();
    const votes = readMessages(d).filter((m) => m.type === MessageType.Vote);
    expect(votes.length).toBe(2);
    for (const v of votes) {
      expect(v.index).toBe(2);
      expect(v.logTerm).toBe(2);
      expect(v.term).toBe(3);
    }
  });

  const voterCases: [number, number, boolean][] = [
    [2, 2, true], // same
    [3, 2, true], // longer, same term
    [1, 3, true], // later term wins over length
    [1, 2, false], // shorter, same term
    [5, 1, false], // longer but older term
  ];
  for (const [index, logTerm, grant] of voterCases) {
    it(`5.4.1: a voter ${grant ? 'grants' : 'rejects'} a candidate whose log ends at ${index}/${logTerm} (ours 2/2)`, () => {
      const d = newNode('1', {
        entries: [ent(1, 1), ent(2, 2)],
        hardState: { term: 2, vote: '', commit: 0 },
      });
      d.raw.step(msg({ type: MessageType.Vote, from: '2', to: '1', term: 3, index, logTerm }));
      const resp = readMessages(d).find((m) => m.type === MessageType.VoteResp)!;
      expect(resp.reject).toBe(!grant);
    });
  }

  it('5.4.2: a leader commits entries of earlier terms only by committing one of its own term', () => {
    const d = newNode('1', { entries: [ent(1, 1), ent(2, 2)], hardState: { term: 2, vote: '', commit: 0 } });
    makeLeader(d, peers);
    readMessages(d);
    // A follower acknowledges the old entries only: counting them must not commit them.
    d.raw.step(msg({ type: MessageType.AppResp, from: '2', to: '1', term: 3, index: 2 }));
    readMessages(d);
    expect(d.raw.status().commit).toBe(0);
    d.raw.step(msg({ type: MessageType.AppResp, from: '2', to: '1', term: 3, index: 3 }));
    readMessages(d);
    expect(d.raw.status().commit).toBe(3);
  });

  it('5.4.2: figure 8: an old-term entry stored on a majority is not committed and a later leader may overwrite it', () => {
    const ids = ['1', '2', '3', '4', '5'];
    const c = new Cluster(ids);
    const x = [ent(1, 1, 'base'), ent(2, 2, 'X')];
    // S1 (leader of term 2, then of term 4) got X, from term 2, onto S2 and S3: a majority, uncommitted.
    c.seed({
      '1': { entries: x, term: 4, commit: 1 },
      '2': { entries: x, term: 4, commit: 1 },
      '3': { entries: x, term: 4, commit: 1 },
      '4': { entries: [ent(1, 1, 'base')], term: 4, commit: 1 },
      '5': { entries: [ent(1, 1, 'base'), ent(2, 3, 'Y')], term: 4, commit: 1 },
    });
    // S5's log ends in term 3 > 2, so it is more up to date than X's holders and can win.
    c.elect('5');
    expect(c.node('5').status.role).toBe('leader');
    c.propose('5', 'Z');
    for (const id of ids) {
      expect(c.node(id).appliedData()).toEqual(['base', 'Y', 'Z']);
    }
  });
});
