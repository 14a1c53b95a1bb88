import { describe, expect, it } from 'vitest';
import { MessageType } from '../src/types.js';
import { Cluster, enc } from './support/harness.js';

function compactLeader(c: Cluster, id: string): void {
  const n = c.node(id);
  const idx = n.status.applied;
  const data = enc(JSON.stringify(n.appliedData()));
  n.storage.createSnapshotSync({
    metadata: { index: idx, term: n.raw.term(idx)!, confState: n.status.config },
    data,
  });
  n.storage.compactSync(idx);
}

describe('snapshots (section 7)', () => {
  it('a follower behind the compacted log receives the snapshot in chunks and continues from it', () => {
    const c = new Cluster(['a', 'b', 'c'], { maxSnapshotChunkBytes: 8 });
    c.elect('a');
    c.isolate('c');
    for (let i = 0; i < 10; i++) c.propose('a', `v${i}`);
    compactLeader(c, 'a');
    c.recover();
    c.tickAll(3);
    const chunks = c.trace.filter((m) => m.type === MessageType.Snap && m.to === 'c');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.at(-1)!.snapshotChunk!.done).toBe(true);
    expect(c.node('c').snapshotsRestored).toBe(1);
    c.propose('a', 'after');
    expect(c.node('c').status.commit).toBe(c.node('a').status.commit);
    expect(c.node('c').appliedData()).toEqual(['after']); // the rest came in the snapshot
  });

  it('resumes after a lost chunk from the offset the follower reports', () => {
    const c = new Cluster(['a', 'b', 'c'], { maxSnapshotChunkBytes: 8 });
    c.elect('a');
    c.isolate('c');
    for (let i = 0; i < 10; i++) c.propose('a', `v${i}`);
    compactLeader(c, 'a');
    c.recover();
    let dropped = 0;
    c.filter = (m) => {
      if (m.type === MessageType.Snap && m.snapshotChunk!.offset === 16 && dropped === 0) {
        dropped++;
        return false;
      }
      return true;
    };
    c.tickAll(5);
    expect(dropped).toBe(1);
    const offsets = c.trace
      .filter((m) => m.type === MessageType.Snap && m.to === 'c')
      .map((m) => m.snapshotChunk!.offset);
    // Offset 16 was sent again after the loss; nothing before it was re-sent from scratch.
    expect(offsets.filter((o) => o === 16).length).toBeGreaterThanOrEqual(1);
    expect(offsets.filter((o) => o === 0).length).toBe(1);
    expect(c.node('c').snapshotsRestored).toBe(1);
    expect(c.node('c').status.commit).toBe(c.node('a').status.commit);
  });

  it('a follower that installs a snapshot discards its conflicting log', () => {
    const c = new Cluster(['a', 'b', 'c']);
    c.elect('a');
    c.propose('a', 'base');
    // c becomes leader alone in a minority and appends entries that never commit.
    c.isolate('c');
    c.node('c').raw.campaign();
    c.deliverAll();
    const cTerm = c.node('c').status.term;
    expect(cTerm).toBeGreaterThan(0);
    c.recover();
    c.isolate('c');
    c.tickAll(1);
    for (let i = 0; i < 5; i++) c.propose('a', `v${i}`);
    compactLeader(c, 'a');
    c.recover();
    c.tickAll(40);
    const leader = c.leaders()[0]!;
    c.propose(leader, 'final');
    const lc = c.node(leader).raw;
    const cc = c.node('c').raw;
    expect(cc.status().lastIndex).toBe(lc.status().lastIndex);
    for (let i = c.node('c').storage.firstIndex(); i <= lc.status().lastIndex; i++)
      expect(cc.term(i)).toBe(lc.term(i));
  });
});
