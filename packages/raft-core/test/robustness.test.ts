import { describe, expect, it } from 'vitest';
import { NotLeaderError, ProposalDroppedError, RaftConfigError, RaftUsageError } from '../src/errors.js';
import { MemoryStorage } from '../src/memory-storage.js';
import { message } from '../src/message.js';
import { RawNode } from '../src/raw-node.js';
import type { Message } from '../src/types.js';
import { MessageType } from '../src/types.js';
import { Cluster, confState, enc } from './support/harness.js';
import { newNode, readMessages } from './support/single-node.js';

describe('remote input never throws out of step()', () => {
  const bad: [string, unknown][] = [
    ['null', null],
    ['a string', 'hello'],
    ['unknown type', { ...message({ type: MessageType.App, from: 'b', to: 'a', term: 1 }), type: 99 }],
    ['negative term', message({ type: MessageType.App, from: 'b', to: 'a', term: -1 })],
    ['fractional index', message({ type: MessageType.App, from: 'b', to: 'a', term: 1, index: 1.5 })],
    [
      'context not bytes',
      { ...message({ type: MessageType.Heartbeat, from: 'b', to: 'a', term: 1 }), context: 'x' },
    ],
    [
      'entries not an array',
      { ...message({ type: MessageType.App, from: 'b', to: 'a', term: 1 }), entries: {} },
    ],
    [
      'gap in entries',
      message({
        type: MessageType.App,
        from: 'b',
        to: 'a',
        term: 1,
        entries: [{ index: 3, term: 1, type: 0, data: new Uint8Array() }],
      }),
    ],
    ['snap without chunk', message({ type: MessageType.Snap, from: 'b', to: 'a', term: 1 })],
    [
      'chunk past total',
      message({
        type: MessageType.Snap,
        from: 'b',
        to: 'a',
        term: 1,
        snapshotChunk: {
          metadata: { index: 5, term: 1, confState: confState(['a']) },
          totalSize: 2,
          offset: 1,
          data: new Uint8Array(5),
          done: true,
        },
      }),
    ],
    ['local type from the wire', message({ type: MessageType.Hup, from: 'b', to: 'a', term: 1 })],
    ['wrong recipient', message({ type: MessageType.Heartbeat, from: 'b', to: 'z', term: 1 })],
    ['from ourselves', message({ type: MessageType.Heartbeat, from: 'a', to: 'a', term: 1 })],
    ['term-less heartbeat', message({ type: MessageType.Heartbeat, from: 'b', to: 'a', term: 0 })],
    ['reply from a stranger', message({ type: MessageType.AppResp, from: 'zz', to: 'a', term: 1 })],
  ];
  for (const [name, m] of bad) {
    it(`drops and counts: ${name}`, () => {
      const c = new Cluster(['a', 'b', 'c']);
      c.elect('a');
      const before = Object.values(c.node('a').status.dropped).reduce((x, y) => x + y, 0);
      expect(() => c.node('a').raw.step(m as Message)).not.toThrow();
      const after = Object.values(c.node('a').status.dropped).reduce((x, y) => x + y, 0);
      expect(after).toBe(before + 1);
      expect(c.node('a').status.role).toBe('leader');
    });
  }

  it('a heartbeat claiming a commit beyond our log is counted, not applied', () => {
    const d = newNode('2');
    d.raw.step(message({ type: MessageType.Heartbeat, from: '1', to: '2', term: 1, commit: 50 }));
    readMessages(d);
    expect(d.raw.status().commit).toBe(0);
    expect(d.raw.status().dropped['heartbeat-commit-past-log']).toBe(1);
  });
});

describe('API misuse throws typed errors', () => {
  it('invalid config', () => {
    const s = new MemoryStorage();
    const init = {
      hardState: s.getHardState(),
      snapshotMetadata: { index: 0, term: 0, confState: confState(['a']) },
    };
    expect(() => new RawNode({ id: '' }, s, init)).toThrow(RaftConfigError);
    expect(() => new RawNode({ id: 'a', electionTick: 1, heartbeatTick: 1 }, s, init)).toThrow(
      /electionTick/,
    );
    expect(() => new RawNode({ id: 'a', maxInflightMsgs: 0 }, s, init)).toThrow(/maxInflightMsgs/);
  });

  it('empty proposals, out-of-order acknowledgements, and reads without a leader', () => {
    const c = new Cluster(['a', 'b', 'c']);
    expect(() => c.node('a').raw.propose(new Uint8Array())).toThrow(RaftUsageError);
    expect(() => c.node('b').raw.propose(enc('x'))).toThrow(ProposalDroppedError);
    expect(() => c.node('b').raw.readIndex(enc('r'))).toThrow(NotLeaderError);
    expect(() => c.node('b').raw.transferLeader('c')).toThrow(NotLeaderError);
    const raw = c.node('a').raw;
    raw.campaign();
    const r1 = raw.ready();
    expect(() => raw.applied(r1)).toThrow(/before persisted/);
    raw.persisted(r1);
    expect(() => raw.persisted(r1)).toThrow(/out of order/);
  });

  it('forwarding can be disabled', () => {
    const c = new Cluster(['a', 'b', 'c'], { disableProposalForwarding: true });
    c.elect('a');
    expect(() => c.node('b').raw.propose(enc('x'))).toThrow(/forwarding-disabled/);
  });
});
