/**
 * TaskManager.respondToBatch on anvil: one aggregate signature over a Merkle root of the batch's
 * response digests (built with @avs/bls/batch), refusal cases, proofs against the stored root,
 * and gas per task.
 */
import { BlsKeyPair, G1, g1ToSolidity } from '@avs/bls';
import { batchDigest, buildTaskBatch, merkleRoot } from '@avs/bls/batch';
import { keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAvs, startLocalAvs } from '../src/local-chain-entry.js';
import {
  buildAggregate,
  connect,
  type Handles,
  mined,
  registerOperator,
  responseDigest,
  revertName,
  type TaskStruct,
  type TestOperator,
} from './helpers/avs-fixture.js';

let avs: LocalAvs;
let h: Handles;
const ops: TestOperator[] = [];
const keys = new Map<string, BlsKeyPair>();

beforeAll(async () => {
  avs = await startLocalAvs({ accounts: 6, quorumCount: 2, taskResponseWindowBlocks: 20 });
  h = connect(avs);
  for (let i = 1; i <= 4; i++) {
    const key = BlsKeyPair.fromSecretKey(BigInt(2000 + i));
    ops.push({ wallet: new Wallet(avs.accounts[i]!.privateKey, h.provider), key });
    keys.set(key.operatorId, key);
  }
  // Operators 0..2 in quorum 0 (stake 100 each); operator 3 in quorum 1 only.
  for (let i = 0; i < 3; i++) await registerOperator(h, ops[i]!, [0], 100n, `bop${i}`);
  await registerOperator(h, ops[3]!, [1], 100n, 'bop3');
}, 120_000);

afterAll(async () => {
  h?.provider.destroy();
  await avs?.stop();
});

interface Created {
  index: number;
  task: TaskStruct;
}

function parseCreated(receipt: { logs: readonly unknown[] }): Created[] {
  return receipt.logs
    .map((l) => h.taskManager.interface.parseLog(l as { topics: string[]; data: string }))
    .filter((l) => l?.name === 'NewTaskCreated')
    .map((l) => ({
      index: Number(l!.args.taskIndex),
      task: {
        payloadHash: l!.args.task.payloadHash,
        referenceBlockNumber: l!.args.task.referenceBlockNumber,
        quorumThresholdPercentage: l!.args.task.quorumThresholdPercentage,
        quorumNumbers: l!.args.task.quorumNumbers,
      },
    }));
}

/** `count` tasks in one transaction (same reference block, quorums and threshold). */
async function createTasks(tag: string, count: number, threshold = 60, quorums = [0]): Promise<Created[]> {
  const hashes = Array.from({ length: count }, (_, i) => keccak256(toUtf8Bytes(`${tag} ${i}`)));
  return parseCreated(
    await mined(h.taskManager.getFunction('createNewTasks')(hashes, threshold, Uint8Array.from(quorums))),
  );
}

/** Several createNewTask calls mined in one block (so they share a reference block). */
async function createInOneBlock(specs: { threshold: number; quorums: number[] }[]): Promise<Created[]> {
  await h.provider.send('evm_setAutomine', [false]);
  try {
    const nonce = await h.owner.getNonce();
    const sent = await Promise.all(
      specs.map((s, i) =>
        h.taskManager.getFunction('createNewTask')(
          keccak256(toUtf8Bytes(`one block ${Date.now()} ${i}`)),
          s.threshold,
          Uint8Array.from(s.quorums),
          { nonce: nonce + i, gasLimit: 300_000 },
        ),
      ),
    );
    await h.provider.send('evm_mine', []);
    const receipts = await Promise.all(sent.map((tx) => mined(Promise.resolve(tx))));
    return receipts.flatMap(parseCreated);
  } finally {
    await h.provider.send('evm_setAutomine', [true]);
  }
}

const responseOf = (c: Created, result = '0x2a') => ({ referenceTaskIndex: c.index, result });

/** Signs the batch of `created` (responses `result`) with `signers`; returns the call's arguments. */
async function batchArgs(created: Created[], signers: BlsKeyPair[], result = '0x2a') {
  const responses = created.map((c) => responseOf(c, result));
  const batch = buildTaskBatch(
    created.map((c, i) => ({
      taskIndex: c.index,
      referenceBlock: Number(c.task.referenceBlockNumber),
      quorumNumbers: [...Buffer.from(c.task.quorumNumbers.slice(2), 'hex')],
      thresholdPercentages: [...Buffer.from(c.task.quorumNumbers.slice(2), 'hex')].map(() =>
        Number(c.task.quorumThresholdPercentage),
      ),
      responseDigest: responseDigest(responses[i]!) as `0x${string}`,
    })),
  );
  const aggregate = await buildAggregate(h, created[0]!.task, batch.digest, signers, keys);
  return { tasks: created.map((c) => c.task), responses, aggregate, batch };
}

function submitBatch(tasks: unknown[], responses: unknown[], aggregate: unknown) {
  return mined(h.taskManager.getFunction('respondToBatch')(tasks, responses, aggregate));
}

const quorum0 = () => ops.slice(0, 3).map((o) => o.key);
const responded = (i: number) => h.taskManager.getFunction('taskResponded')(i) as Promise<boolean>;

describe('TaskManager.respondToBatch on anvil', () => {
  it('answers every task of a batch with one signature check, and each response is provable', async () => {
    const created = await createTasks('batch ok', 5);
    const { tasks, responses, aggregate, batch } = await batchArgs(created, [ops[0]!.key, ops[2]!.key]);
    expect(await h.taskManager.getFunction('batchDigest')(batch.root, 5)).toBe(batch.digest);
    const batchId = Number(await h.taskManager.getFunction('batchCount')());
    const receipt = await submitBatch(tasks, responses, aggregate);
    expect(receipt.status).toBe(1);
    const events = receipt.logs.map((l) => h.taskManager.interface.parseLog(l)!);
    expect(events.map((e) => e.name)).toEqual(['BatchResponded', ...created.map(() => 'TaskResponded')]);
    expect(events[0]!.args.root).toBe(batch.root);
    expect(events.slice(1).map((e) => Number(e.args.taskIndex))).toEqual(created.map((c) => c.index));
    const stored = await h.taskManager.getFunction('batches')(batchId);
    expect([stored.root, Number(stored.taskCount), Number(stored.respondedBlock)]).toEqual([
      merkleRoot(batch.leaves),
      5,
      receipt.blockNumber,
    ]);
    for (const c of created) expect(await responded(c.index)).toBe(true);
    // Anyone can prove a task's response against the stored root; nothing else passes.
    const verifyResponse = h.taskManager.getFunction('verifyBatchResponse');
    for (let i = 0; i < 5; i++) {
      expect(await verifyResponse(batchId, responses[i], i, batch.proof(i))).toBe(true);
    }
    expect(await verifyResponse(batchId, { ...responses[1]!, result: '0x2b' }, 1, batch.proof(1))).toBe(
      false,
    );
    expect(await verifyResponse(batchId, responses[1], 2, batch.proof(1))).toBe(false);
    expect(await verifyResponse(batchId + 1, responses[1], 1, batch.proof(1))).toBe(false);
  });

  it('refuses a bad signature, a signature over other responses, and too little stake', async () => {
    const created = await createTasks('batch sig', 3);
    const { tasks, responses, aggregate } = await batchArgs(created, quorum0());
    const shifted = g1ToSolidity(G1.fromAffine({ x: aggregate.sigma.X, y: aggregate.sigma.Y }).add(G1.BASE));
    expect(await revertName(submitBatch(tasks, responses, { ...aggregate, sigma: shifted }), h)).toBe(
      'InvalidSignature',
    );
    const other = await batchArgs(created, quorum0(), '0x99');
    expect(await revertName(submitBatch(tasks, responses, other.aggregate), h)).toBe('InvalidSignature');
    const few = await batchArgs(created, [ops[0]!.key]);
    expect(await revertName(submitBatch(tasks, responses, few.aggregate), h)).toBe('QuorumThresholdNotMet');
    // A refused batch leaves every task unanswered; the valid one then goes through.
    for (const c of created) expect(await responded(c.index)).toBe(false);
    expect((await submitBatch(tasks, responses, aggregate)).status).toBe(1);
  });

  it('answers each task once across batches and single responses', async () => {
    const created = await createTasks('batch once', 3);
    const all = await batchArgs(created, quorum0());
    // Task 1 answered alone first: a batch containing it is refused whole.
    const single = responseOf(created[1]!);
    const singleAgg = await buildAggregate(h, created[1]!.task, responseDigest(single), quorum0(), keys);
    await mined(h.taskManager.getFunction('respondToTask')(created[1]!.task, single, singleAgg));
    expect(await revertName(submitBatch(all.tasks, all.responses, all.aggregate), h)).toBe(
      'TaskAlreadyResponded',
    );
    expect(await responded(created[0]!.index)).toBe(false);
    // Tasks 0 and 2 in a batch; then neither a second batch nor a single response is accepted.
    const rest = await batchArgs([created[0]!, created[2]!], quorum0());
    expect((await submitBatch(rest.tasks, rest.responses, rest.aggregate)).status).toBe(1);
    expect(await revertName(submitBatch(rest.tasks, rest.responses, rest.aggregate), h)).toBe(
      'TaskAlreadyResponded',
    );
    const again = responseOf(created[2]!);
    const againAgg = await buildAggregate(h, created[2]!.task, responseDigest(again), quorum0(), keys);
    expect(
      await revertName(
        mined(h.taskManager.getFunction('respondToTask')(created[2]!.task, again, againAgg)),
        h,
      ),
    ).toBe('TaskAlreadyResponded');
    // One task twice in one batch.
    const fresh = await createTasks('batch twice', 1);
    const twice = await batchArgs([fresh[0]!], quorum0());
    const dup = await buildAggregate(
      h,
      fresh[0]!.task,
      batchDigest(merkleRoot([twice.batch.leaves[0]!, twice.batch.leaves[0]!]), 2),
      quorum0(),
      keys,
    );
    expect(
      await revertName(
        submitBatch([fresh[0]!.task, fresh[0]!.task], [twice.responses[0], twice.responses[0]], dup),
        h,
      ),
    ).toBe('TaskAlreadyResponded');
  });

  it('refuses mismatched lengths, an empty batch, an altered task and an expired window', async () => {
    const created = await createTasks('batch shape', 2);
    const { tasks, responses, aggregate } = await batchArgs(created, quorum0());
    expect(await revertName(submitBatch(tasks, responses.slice(0, 1), aggregate), h)).toBe(
      'BatchLengthMismatch',
    );
    expect(await revertName(submitBatch([], [], aggregate), h)).toBe('NoTasks');
    const altered = [tasks[0]!, { ...tasks[1]!, payloadHash: keccak256(toUtf8Bytes('other')) }];
    expect(await revertName(submitBatch(altered, responses, aggregate), h)).toBe('TaskMismatch');
    // Responses swapped: each response names the other task, whose stored hash does not match.
    expect(await revertName(submitBatch(tasks, [responses[1], responses[0]], aggregate), h)).toBe(
      'TaskMismatch',
    );
    await h.provider.send('anvil_mine', ['0x15']);
    expect(await revertName(submitBatch(tasks, responses, aggregate), h)).toBe('TaskResponseWindowExpired');
  });

  it('handles tasks with different thresholds (needs the highest) and refuses mixed quorums or blocks', async () => {
    const [a, b, c] = await createInOneBlock([
      { threshold: 60, quorums: [0] },
      { threshold: 100, quorums: [0] },
      { threshold: 60, quorums: [1] },
    ]);
    expect(a!.task.referenceBlockNumber).toBe(c!.task.referenceBlockNumber);
    // Two of three operators (67%) meet 60% but not task b's 100%.
    const twoThirds = await batchArgs([a!, b!], [ops[0]!.key, ops[1]!.key]);
    expect(twoThirds.batch.thresholdPercentages).toEqual([100]);
    expect(await revertName(submitBatch(twoThirds.tasks, twoThirds.responses, twoThirds.aggregate), h)).toBe(
      'QuorumThresholdNotMet',
    );
    // Different quorums cannot share one check: refused by name (and by @avs/bls/batch before signing).
    expect(() =>
      buildTaskBatch([
        {
          taskIndex: a!.index,
          referenceBlock: 1,
          quorumNumbers: [0],
          thresholdPercentages: [60],
          responseDigest: `0x${'11'.repeat(32)}`,
        },
        {
          taskIndex: c!.index,
          referenceBlock: 1,
          quorumNumbers: [1],
          thresholdPercentages: [60],
          responseDigest: `0x${'22'.repeat(32)}`,
        },
      ]),
    ).toThrow(/batch them separately/);
    const mixed = twoThirds.aggregate;
    expect(
      await revertName(submitBatch([a!.task, c!.task], [responseOf(a!), responseOf(c!)], mixed), h),
    ).toBe('BatchQuorumMismatch');
    const later = await createTasks('batch later block', 1);
    expect(
      await revertName(
        submitBatch([a!.task, later[0]!.task], [responseOf(a!), responseOf(later[0]!)], mixed),
        h,
      ),
    ).toBe('BatchReferenceBlockMismatch');
    // All three quorum-0 operators meet 100%: the mixed-threshold batch is answered.
    const all = await batchArgs([a!, b!], quorum0());
    expect((await submitBatch(all.tasks, all.responses, all.aggregate)).status).toBe(1);
  });

  it('costs at most 20,000 gas per task in a batch of 64', async () => {
    const perTask: Record<number, number> = {};
    for (const size of [1, 8, 64]) {
      const created = await createTasks(`gas ${size}`, size);
      const { tasks, responses, aggregate } = await batchArgs(created, [ops[0]!.key, ops[1]!.key]);
      const receipt = await submitBatch(tasks, responses, aggregate);
      perTask[size] = Number(receipt.gasUsed) / size;
    }
    console.log(`respondToBatch gas per task (1 non-signer of 3): ${JSON.stringify(perTask)}`);
    expect(perTask[64]).toBeLessThanOrEqual(20_000);
    expect(perTask[8]!).toBeLessThan(perTask[1]!);
    expect(perTask[64]!).toBeLessThan(perTask[8]!);
  }, 60_000);
});
