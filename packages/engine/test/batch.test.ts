/**
 * Batches end to end in memory: the leader packs a window of requests into
 * one replicated batch, every operator signs it once, the leader aggregates
 * once and submits once (InMemoryChain's batch call checks the aggregate over
 * the batch digest). Bad signatures, mixed quorums and thresholds, failover.
 */
import type { BlsKeyPair } from '@avs/bls';
import { verifyMerkleProof } from '@avs/bls/batch';
import { afterEach, describe, expect, it } from 'vitest';
import type { BatchSubmission } from '../src/index.js';
import { Cluster, type Operator } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** A key that signs like `key` but counts its signatures. */
function counting(key: BlsKeyPair, counts: Map<number, number>, index: number): BlsKeyPair {
  return {
    operatorId: key.operatorId,
    publicKeyG1: key.publicKeyG1,
    publicKeyG2: key.publicKeyG2,
    sign: (digest: Parameters<BlsKeyPair['sign']>[0]) => {
      counts.set(index, (counts.get(index) ?? 0) + 1);
      return key.sign(digest);
    },
  } as unknown as BlsKeyPair;
}

/** Sends one request per task spec through the leader, all at once (one window). */
function sendAll(c: Cluster, specs: ReturnType<Cluster['chain']['createTasks']>, n = 3) {
  const leader = c.leader()!;
  return c.drive(
    Promise.all(
      specs.map((spec, i) =>
        leader.engine.leaderSendTaskRequestToFollowers({ numberToBeSquared: n + i }, [spec]),
      ),
    ),
    'requests',
  );
}

const allSubmitted = (ops: readonly Operator[], indexes: readonly number[]) => () =>
  indexes.every((i) => ops.every((o) => o.engine.task(i)?.status === 'submitted'));

describe('batches (in memory)', () => {
  it('packs a window into one batch: each operator signs once, one transaction, per-task proofs verify', async () => {
    const signatures = new Map<number, number>();
    cluster = new Cluster({
      size: 3,
      batching: { maxTasks: 8, delayMs: 50 },
      signingKeyOf: (op) => counting(op.bls, signatures, op.index),
    });
    const c = cluster;
    await c.start();
    expect(c.leader()!.engine.status().batching).toBe(true);
    const specs = c.chain.createTasks([{}, {}, {}, {}, {}]);
    const indexes = specs.map((s) => s.taskIndex);
    await sendAll(c, specs);
    await c.waitFor(allSubmitted(c.operators, indexes), 'every task submitted');
    expect(c.chain.batchSubmissions).toBe(1);
    const txs = new Set(indexes.map((i) => c.chain.response(i)!.txHash));
    expect(txs.size).toBe(1);
    const batchIds = new Set(indexes.map((i) => c.operators[1]!.engine.task(i)!.batchId));
    expect(batchIds.size).toBe(1);
    expect([...signatures.values()]).toEqual([1, 1, 1]);
    for (const [position, i] of indexes.entries()) {
      const proof = c.operators[2]!.engine.batchProof(i)!;
      expect(proof.position).toBe(position);
      expect(proof.leaf).toBe(c.chain.response(i)!.digest);
      expect(verifyMerkleProof(proof.leaf, proof.position, proof.count, proof.proof, proof.root)).toBe(true);
    }

    // Low traffic: a lone request is a batch of one, sent when its window closes.
    const [lone] = c.chain.createTasks([{}]);
    await sendAll(c, [lone!], 40);
    await c.waitFor(allSubmitted(c.operators, [lone!.taskIndex]), 'the lone task submitted');
    expect(c.chain.batchSubmissions).toBe(2);
    expect(c.chain.response(lone!.taskIndex)!.response).toMatchObject({ number: 40, numberSquared: '1600' });
    expect([...signatures.values()]).toEqual([2, 2, 2]);
    expect(c.chain.invalidSubmissions).toBe(0);
    // The leader aggregated both batches itself: it sent them without looking them up on-chain first.
    expect(c.chain.responseLookups).toBe(0);
  });

  it('a batch with one bad signature is still answered, and the signer is reported', async () => {
    // 4 operators at 75%: the bad signature is part of the first aggregate that reaches it
    // (operator 3 is cut off until then), bisection removes it, operator 3's completes it.
    cluster = new Cluster({
      size: 4,
      thresholdPercentage: 75,
      batching: { maxTasks: 8, delayMs: 20 },
      // Operator 2 signs something else than the batch digest: its signature cannot verify.
      signingKeyOf: (op) =>
        op.index === 2
          ? ({ ...fieldsOf(op.bls), sign: () => op.bls.sign(WRONG_DIGEST) } as unknown as BlsKeyPair)
          : op.bls,
    });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const reports: { operatorId: string; batchId?: number }[] = [];
    leader.engine.on('invalid-signature', (r) => reports.push(r));
    const late = c.operators.find((o) => o !== leader && o.index !== 2)!;
    c.net.isolate(late.address);
    const specs = c.chain.createTasks([{ thresholdPercentages: [75] }, { thresholdPercentages: [75] }]);
    const indexes = specs.map((s) => s.taskIndex);
    await sendAll(c, specs);
    await c.waitFor(() => reports.length > 0, 'the bad signature to be found');
    expect(reports[0]!.operatorId).toBe(c.operators[2]!.bls.operatorId);
    expect(reports[0]!.batchId).toBe(leader.engine.task(indexes[0]!)!.batchId);
    c.net.heal();
    await c.waitFor(allSubmitted([leader], indexes), 'the batch answered without the bad signer');
    const signers = leader.engine.task(indexes[0]!)!.aggregate!.signers;
    expect(signers).not.toContain(c.operators[2]!.bls.operatorId);
    expect(signers).toHaveLength(3);
    expect(c.chain.batchSubmissions).toBe(1);
    expect(c.chain.invalidSubmissions).toBe(0);
  });

  it('tasks with different quorums go to different batches; thresholds of one batch meet the highest', async () => {
    cluster = new Cluster({
      size: 3,
      batching: { maxTasks: 8, delayMs: 50 },
      stakesOf: (i) => ({ 0: 100n, 1: BigInt(50 + 50 * i) }),
    });
    const c = cluster;
    await c.start();
    const specs = c.chain.createTasks([
      { thresholdPercentages: [50] },
      { thresholdPercentages: [90] },
      { quorumNumbers: [0, 1], thresholdPercentages: [60, 40] },
    ]);
    const [a, b, both] = specs.map((s) => s.taskIndex) as [number, number, number];
    await sendAll(c, specs);
    await c.waitFor(allSubmitted(c.operators, [a, b, both]), 'every task submitted');
    const e = c.operators[0]!.engine;
    expect(e.task(a)!.batchId).toBe(e.task(b)!.batchId);
    expect(e.task(both)!.batchId).not.toBe(e.task(a)!.batchId);
    expect(c.chain.batchSubmissions).toBe(2);
    // 90% of quorum 0 needs all three operators: the batch of a and b waited for them.
    expect(e.task(a)!.aggregate!.signers).toHaveLength(3);
    expect(c.chain.response(a)!.txHash).toBe(c.chain.response(b)!.txHash);
    expect(c.chain.response(both)!.txHash).not.toBe(c.chain.response(a)!.txHash);
    expect(c.chain.invalidSubmissions).toBe(0);
  });
});

const WRONG_DIGEST = `0x${'11'.repeat(32)}` as const;

/** The public fields of a key (spread copies none of a class's getters). */
function fieldsOf(key: BlsKeyPair) {
  return { operatorId: key.operatorId, publicKeyG1: key.publicKeyG1, publicKeyG2: key.publicKeyG2 };
}

/** A gate the first batch submission waits at until released. */
function gate() {
  let release!: () => void;
  const opened = new Promise<void>((r) => {
    release = r;
  });
  let hit: BatchSubmission | undefined;
  return {
    once: (b: BatchSubmission) => {
      if (hit) return Promise.resolve();
      hit = b;
      return opened;
    },
    get hit() {
      return hit;
    },
    release: () => release(),
  };
}

describe('batch failover (5 engines, 60%)', () => {
  const start = async () => {
    cluster = new Cluster({ size: 5, thresholdPercentage: 60, batching: { maxTasks: 8, delayMs: 20 } });
    await cluster.start();
    return cluster;
  };
  const specsOf = (c: Cluster, threshold = 60) =>
    c.chain.createTasks([0, 1, 2].map(() => ({ thresholdPercentages: [threshold] })));
  const onePerTask = (c: Cluster, indexes: readonly number[]) => {
    for (const i of indexes) expect(c.chain.responses().filter((r) => r.taskIndex === i)).toHaveLength(1);
    expect(c.chain.invalidSubmissions).toBe(0);
  };

  it('leader killed after aggregating the batch, before its transaction lands: one answer per task', async () => {
    const c = await start();
    const g = gate();
    c.chain.hooks.beforeBatchLanding = g.once;
    const old = c.leader()!;
    const specs = specsOf(c);
    const indexes = specs.map((s) => s.taskIndex);
    await sendAll(c, specs);
    await c.waitFor(() => g.hit !== undefined, 'the leader to start submitting');
    await c.kill(old);
    await c.waitFor(() => c.leader() !== undefined && c.leader() !== old, 'a new leader');
    const alive = c.running();
    await c.waitFor(allSubmitted(alive, indexes), 'the new leader to submit the batch');
    g.release(); // the old leader's transaction arrives late: refused
    await c.waitFor(() => c.chain.duplicateSubmissions === 1, 'the late duplicate to be refused');
    onePerTask(c, indexes);
    expect(c.chain.batchSubmissions).toBe(1);
    const tx = c.chain.response(indexes[0]!)!.txHash;
    for (const o of alive) for (const i of indexes) expect(o.engine.task(i)!.submission!.txHash).toBe(tx);
  });

  it('leader killed after its batch landed, before recording it: the new leader finds it on-chain', async () => {
    const c = await start();
    const g = gate();
    c.chain.hooks.afterBatchLanding = g.once;
    const old = c.leader()!;
    const specs = specsOf(c);
    const indexes = specs.map((s) => s.taskIndex);
    await sendAll(c, specs);
    await c.waitFor(() => c.chain.response(indexes[0]!) !== undefined, 'the batch to land');
    await c.kill(old);
    g.release();
    await c.waitFor(() => c.leader() !== undefined, 'a new leader');
    const alive = c.running();
    await c.waitFor(allSubmitted(alive, indexes), 'the batch recorded as submitted');
    expect(c.chain.duplicateSubmissions).toBe(0);
    expect(c.chain.batchSubmissions).toBe(1);
    onePerTask(c, indexes);
  });

  it('leader killed while the batch is still collecting signatures: the new leader aggregates it again', async () => {
    const c = await start();
    const old = c.leader()!;
    // Two followers cut off: the batch commits (3 of 5) but 3 signatures (60%) cannot reach
    // these tasks' 80%; the leader dies before the others come back.
    const cut = c.operators.filter((o) => o !== old).slice(0, 2);
    for (const o of cut) c.net.isolate(o.address);
    const specs = specsOf(c, 80);
    const indexes = specs.map((s) => s.taskIndex);
    await sendAll(c, specs);
    await c.waitFor(
      () => c.running().filter((o) => o.engine.task(indexes[0]!) !== undefined).length >= 3,
      'the batch to be replicated',
    );
    expect(old.engine.task(indexes[0]!)!.status).toBe('pending');
    await c.kill(old);
    c.net.heal();
    c.net.isolate(old.address);
    await c.waitFor(() => c.leader() !== undefined && c.leader() !== old, 'a new leader');
    const alive = c.running();
    await c.waitFor(allSubmitted(alive, indexes), 'the batch submitted by the new leader');
    expect(c.chain.batchSubmissions).toBe(1);
    onePerTask(c, indexes);
  });
});
