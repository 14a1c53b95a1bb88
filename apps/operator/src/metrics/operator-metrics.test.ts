import { createRaftNodeFactory } from '@avs/engine';
import { createMemoryNetwork, type Entry, ManualClock, MemoryStorage } from '@avs/raft-core';
import { TransportMetrics } from '@avs/transport-http';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { countProposals, instrumentStorage } from './instrumentation.js';
import { OperatorMetrics } from './operator-metrics.js';

const status = {
  id: '0xa',
  operatorId: '0xb',
  httpUrl: 'http://x',
  started: true,
  closed: false,
  role: 'follower',
  term: 7,
  leaderId: '0xc',
  voters: ['0xa', '0xc'],
  learners: [],
  commit: 12,
  applied: 9,
  tasks: { pending: 2 },
  skippedEntries: 0,
  pendingResponses: 0,
  members: [],
  blsBackend: 'noble',
  batching: false,
  maxVoters: 5,
  lastContactMs: { '0xc': 1_500 },
} as const;

function metrics(now = () => 0) {
  return new OperatorMetrics(
    { status: () => status, transport: new TransportMetrics() },
    { avsName: 'test-avs', now },
  );
}

describe('OperatorMetrics', () => {
  it('reads Raft state at scrape time: term, commit, applied and the apply lag', async () => {
    const families = parsePrometheusTextFormat(await metrics().text());
    const value = (name: string) => families.find((f) => f.name === name)?.metrics[0]?.value;
    expect(value('avs_raft_term')).toBe('7');
    expect(value('avs_raft_commit_index')).toBe('12');
    expect(value('avs_raft_applied_index')).toBe('9');
    expect(value('avs_raft_apply_lag')).toBe('3');
    expect(value('eigen_performance_score')).toBe('100');
    expect(families.find((f) => f.name === 'avs_raft_member_last_contact_seconds')?.metrics[0]).toMatchObject(
      {
        labels: { member: '0xc' },
        value: '1.5',
      },
    );
  });

  it('times every storage save through the wrapper, and the wrapped storage still works', async () => {
    const m = metrics();
    const storage = instrumentStorage(new MemoryStorage(), m);
    await storage.save({ entries: [{ index: 1, term: 1, type: 'normal', data: new Uint8Array() }] } as never);
    expect(storage.lastIndex()).toBe(1);
    const text = await m.text();
    expect(text).toMatch(/^avs_raft_storage_save_duration_seconds_count\{avs_name="test-avs"\} 1$/m);
  });

  it("counts proposals by outcome through the engine factory's wrap hook", async () => {
    const m = metrics();
    const clock = new ManualClock();
    const factory = createRaftNodeFactory({ wrap: (node) => countProposals(node, m) });
    const node = await factory<number>({
      id: 'a',
      storage: new MemoryStorage(),
      transport: createMemoryNetwork({ clock }).transport('a'),
      stateMachine: {
        apply: (entries: readonly Entry[]) => entries.map((e) => e.data.length),
        snapshot: () => new Uint8Array(),
        restore: () => {},
      },
      clock,
      settings: { tickMs: 10 },
      bootstrap: { voters: ['a'] },
    });
    try {
      await clock.advance(1_000);
      const ok = node.propose(new Uint8Array(2));
      await clock.advance(100);
      expect(await ok).toBe(2);
      // Empty data is refused by the node: a failed proposal.
      await expect(node.propose(new Uint8Array())).rejects.toThrow();
      const text = await m.text();
      expect(text).toMatch(/^avs_raft_proposals_total\{outcome="ok",avs_name="test-avs"\} 1$/m);
      expect(text).toMatch(/^avs_raft_proposals_total\{outcome="failed",avs_name="test-avs"\} 1$/m);
    } finally {
      await node.close();
    }
  });

  it('follows a task through its hops once each, ignoring repeated updates', async () => {
    let t = 0;
    const m = metrics(() => t);
    const signed = m.received([5]);
    t = 100;
    signed();
    const task = (status: string) => ({ taskIndex: 5, status }) as never;
    t = 400;
    m.taskUpdated(task('aggregated'));
    m.taskUpdated(task('aggregated'));
    t = 1_400;
    m.taskUpdated(task('submitted'));
    const text = await m.text();
    for (const stage of ['received', 'signed', 'aggregated', 'submitted']) {
      expect(text).toMatch(
        new RegExp(`^avs_raft_tasks_total\\{stage="${stage}",avs_name="test-avs"\\} 1$`, 'm'),
      );
    }
    expect(text).toMatch(
      /^avs_raft_task_hop_duration_seconds_sum\{avs_name="test-avs",hop="received_to_signed"\} 0\.1$/m,
    );
    expect(text).toMatch(
      /^avs_raft_task_hop_duration_seconds_sum\{avs_name="test-avs",hop="seen_to_aggregated"\} 0\.4$/m,
    );
    expect(text).toMatch(
      /^avs_raft_task_hop_duration_seconds_sum\{avs_name="test-avs",hop="aggregated_to_submitted"\} 1$/m,
    );
  });
});
