import { BlsKeyPair, G1, g1ToSolidity } from '@avs/bls';
import { type Contract, keccak256, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAvs, startLocalAvs } from '../src/local-chain-entry.js';
import {
  buildAggregate,
  connect,
  createTask,
  type Handles,
  mined,
  registerOperator,
  registrationParams,
  responseDigest,
  revertName,
  type TaskStruct,
  type TestOperator,
} from './helpers/avs-fixture.js';

const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

let avs: LocalAvs;
let h: Handles;
const ops: TestOperator[] = [];
const keys = new Map<string, BlsKeyPair>();

beforeAll(async () => {
  avs = await startLocalAvs({ accounts: 8, quorumCount: 2, taskResponseWindowBlocks: 20 });
  h = connect(avs);
  for (let i = 1; i <= 6; i++) {
    const key = BlsKeyPair.fromSecretKey(BigInt(1000 + i));
    ops.push({ wallet: new Wallet(avs.accounts[i]!.privateKey, h.provider), key });
    keys.set(key.operatorId, key);
  }
  // Operators 0..2 in quorum 0 (stake 100 each); operator 3 in quorum 1 only.
  for (let i = 0; i < 3; i++) await registerOperator(h, ops[i]!, [0], 100n, `op${i}`);
  await registerOperator(h, ops[3]!, [1], 100n, 'op3');
});

afterAll(async () => {
  h?.provider.destroy();
  await avs?.stop();
});

async function respond(
  index: number,
  task: Awaited<ReturnType<typeof createTask>>['task'],
  signers: BlsKeyPair[],
  result = '0x1234',
) {
  const response = { referenceTaskIndex: index, result };
  const aggregate = await buildAggregate(h, task, responseDigest(response), signers, keys);
  return { response, aggregate };
}

function submit(task: unknown, response: unknown, aggregate: unknown) {
  return mined(h.taskManager.getFunction('respondToTask')(task, response, aggregate));
}

describe('TaskManager.respondToTask on anvil', () => {
  it('accepts a valid aggregate of all signers and records exactly one response', async () => {
    const { index, task } = await createTask(h, 'all sign', 67, [0]);
    const { response, aggregate } = await respond(
      index,
      task,
      ops.slice(0, 3).map((o) => o.key),
    );
    const receipt = await submit(task, response, aggregate);
    expect(receipt.status).toBe(1);
    expect(await h.taskManager.getFunction('taskResponded')(index)).toBe(true);
    const parsed = receipt.logs.map((l) => h.taskManager.interface.parseLog(l)).find(Boolean)!;
    expect(parsed.name).toBe('TaskResponded');
    expect(parsed.args.taskResponse.result).toBe('0x1234');
    // A second response for the same task is refused.
    expect(await revertName(submit(task, response, aggregate), h)).toBe('TaskAlreadyResponded');
  });

  it('accepts an aggregate with a non-signer when the rest reach the threshold', async () => {
    const { index, task } = await createTask(h, 'two of three', 60, [0]);
    const { response, aggregate } = await respond(index, task, [ops[0]!.key, ops[2]!.key]);
    expect(aggregate.nonSignerPubkeys).toHaveLength(1);
    const totals = await h.taskManager.getFunction('checkSignatures')(
      responseDigest(response),
      task.quorumNumbers,
      task.referenceBlockNumber,
      aggregate,
    );
    expect(totals[0].signedStakeForQuorum[0]).toBe(200n);
    expect(totals[0].totalStakeForQuorum[0]).toBe(300n);
    expect((await submit(task, response, aggregate)).status).toBe(1);
  });

  it('rejects an aggregate below the threshold', async () => {
    const { index, task } = await createTask(h, 'below', 67, [0]);
    const { response, aggregate } = await respond(index, task, [ops[0]!.key, ops[1]!.key]);
    expect(await revertName(submit(task, response, aggregate), h)).toBe('QuorumThresholdNotMet');
    expect(await h.taskManager.getFunction('taskResponded')(index)).toBe(false);
  });

  it('rejects a tampered signature, a signature over another response and an unreduced coordinate', async () => {
    const { index, task } = await createTask(h, 'tamper', 67, [0]);
    const signers = ops.slice(0, 3).map((o) => o.key);
    const { response, aggregate } = await respond(index, task, signers);
    const shifted = g1ToSolidity(G1.fromAffine({ x: aggregate.sigma.X, y: aggregate.sigma.Y }).add(G1.BASE));
    expect(await revertName(submit(task, response, { ...aggregate, sigma: shifted }), h)).toBe(
      'InvalidSignature',
    );
    const other = await respond(index, task, signers, '0x9999');
    expect(await revertName(submit(task, response, other.aggregate), h)).toBe('InvalidSignature');
    const unreduced = { X: aggregate.sigma.X + P, Y: aggregate.sigma.Y };
    expect(await revertName(submit(task, response, { ...aggregate, sigma: unreduced }), h)).toBe(
      'CoordinateNotReduced',
    );
    // The untampered aggregate still goes through afterwards.
    expect((await submit(task, response, aggregate)).status).toBe(1);
  });

  it('rejects an aggregate for the wrong quorum', async () => {
    const quorum0 = await createTask(h, 'quorum 0', 67, [0]);
    const { task: task1, index: index1 } = await createTask(h, 'quorum 1', 67, [1]);
    const signers = ops.slice(0, 3).map((o) => o.key);
    // Built for quorum 0 (keys, stake indices), submitted for the quorum-1 task.
    const forQuorum0 = await respond(quorum0.index, quorum0.task, signers);
    const response = { referenceTaskIndex: index1, result: '0x1234' };
    // Its history indices or its quorum key do not fit quorum 1.
    expect(['StaleIndex', 'QuorumApkMismatch']).toContain(
      await revertName(submit(task1, response, forQuorum0.aggregate), h),
    );
    // Right indices for quorum 1 but quorum 0's aggregate key.
    const right = await respond(index1, task1, [ops[3]!.key]);
    const wrongKey = { ...right.aggregate, quorumApks: forQuorum0.aggregate.quorumApks };
    expect(await revertName(submit(task1, right.response, wrongKey), h)).toBe('QuorumApkMismatch');
    // Quorum-0 operators signing a quorum-1 task: their key is not the quorum's key.
    const { aggregate } = await respond(index1, task1, signers);
    expect(await revertName(submit(task1, response, aggregate), h)).toBe('InvalidSignature');
  });

  it('rejects a response after the window (stale reference block) and a task that does not match', async () => {
    const { index, task } = await createTask(h, 'stale', 67, [0]);
    const { response, aggregate } = await respond(
      index,
      task,
      ops.slice(0, 3).map((o) => o.key),
    );
    const altered = { ...task, referenceBlockNumber: task.referenceBlockNumber + 1n };
    expect(await revertName(submit(altered, response, aggregate), h)).toBe('TaskMismatch');
    await h.provider.send('anvil_mine', ['0x15']);
    expect(await revertName(submit(task, response, aggregate), h)).toBe('TaskResponseWindowExpired');
  });

  it('counts stake at the reference block, not the current one', async () => {
    const { index, task } = await createTask(h, 'history', 60, [0]);
    // After creation op2's stake grows tenfold; signers op0 + op1 had 2/3 at the reference block.
    await mined(h.registry.getFunction('setOperatorStake')(ops[2]!.wallet.address, 0, 1000n));
    const { response, aggregate } = await respond(index, task, [ops[0]!.key, ops[1]!.key]);
    expect((await submit(task, response, aggregate)).status).toBe(1);
    const later = await createTask(h, 'history later', 60, [0]);
    const again = await respond(later.index, later.task, [ops[0]!.key, ops[1]!.key]);
    expect(await revertName(submit(later.task, again.response, again.aggregate), h)).toBe(
      'QuorumThresholdNotMet',
    );
    await mined(h.registry.getFunction('setOperatorStake')(ops[2]!.wallet.address, 0, 100n));
  });

  it('only lets registered operators, the owner or allowed creators create tasks', async () => {
    const stranger = new Wallet(avs.accounts[7]!.privateKey, h.provider);
    const tm = h.taskManager.connect(stranger) as Contract;
    const call = tm.getFunction('createNewTask')(`0x${'11'.repeat(32)}`, 50, '0x00');
    expect(await revertName(call, h)).toBe('NotTaskCreator');
    const threshold = h.taskManager.getFunction('createNewTask')(`0x${'11'.repeat(32)}`, 101, '0x00');
    expect(await revertName(threshold, h)).toBe('InvalidThreshold');
    const quorum = h.taskManager.getFunction('createNewTask')(`0x${'11'.repeat(32)}`, 50, '0x05');
    expect(await revertName(quorum, h)).toBe('InvalidQuorumNumbers');
  });
});

describe('TaskManager.createNewTasks on anvil', () => {
  it('creates consecutive tasks in one transaction, each answerable on its own', async () => {
    const hashes = ['batch a', 'batch b', 'batch c'].map((p) => keccak256(new TextEncoder().encode(p)));
    const first = Number(await h.taskManager.getFunction('latestTaskNum')());
    const receipt = await mined(h.taskManager.getFunction('createNewTasks')(hashes, 60, '0x00'));
    const created = receipt.logs
      .map((l) => h.taskManager.interface.parseLog(l))
      .filter((l) => l?.name === 'NewTaskCreated');
    expect(created.map((l) => Number(l!.args.taskIndex))).toEqual([first, first + 1, first + 2]);
    expect(created.map((l) => l!.args.task.payloadHash)).toEqual(hashes);
    expect(Number(await h.taskManager.getFunction('latestTaskNum')())).toBe(first + 3);
    const t = created[1]!.args.task;
    const task: TaskStruct = {
      payloadHash: t.payloadHash,
      referenceBlockNumber: t.referenceBlockNumber,
      quorumThresholdPercentage: t.quorumThresholdPercentage,
      quorumNumbers: t.quorumNumbers,
    };
    expect(task.referenceBlockNumber).toBe(BigInt(receipt.blockNumber - 1));
    const { response, aggregate } = await respond(first + 1, task, [ops[0]!.key, ops[1]!.key]);
    expect((await submit(task, response, aggregate)).status).toBe(1);
    expect(await h.taskManager.getFunction('taskResponded')(first)).toBe(false);
    expect(await h.taskManager.getFunction('taskResponded')(first + 1)).toBe(true);
  });

  it('applies the same checks as createNewTask, and refuses an empty list', async () => {
    const hash = `0x${'22'.repeat(32)}`;
    const stranger = new Wallet(avs.accounts[7]!.privateKey, h.provider);
    const tm = h.taskManager.connect(stranger) as Contract;
    expect(await revertName(tm.getFunction('createNewTasks')([hash], 50, '0x00'), h)).toBe('NotTaskCreator');
    const create = h.taskManager.getFunction('createNewTasks');
    expect(await revertName(create([hash], 0, '0x00'), h)).toBe('InvalidThreshold');
    expect(await revertName(create([hash], 50, '0x05'), h)).toBe('InvalidQuorumNumbers');
    expect(await revertName(create([], 50, '0x00'), h)).toBe('NoTasks');
  });
});

describe('OperatorRegistry on anvil', () => {
  it('rejects a bad proof of possession', async () => {
    const op = ops[4]!;
    const reg = h.registry.connect(op.wallet) as Contract;
    // Signed with another key.
    const wrongKey = await registrationParams(h.registry, op.wallet.address, BlsKeyPair.fromSecretKey(7n));
    const good = await registrationParams(h.registry, op.wallet.address, op.key);
    const mixed = { ...good, pubkeyRegistrationSignature: wrongKey.pubkeyRegistrationSignature };
    const register = (params: unknown) =>
      reg.getFunction('registerOperator')(
        '0x00',
        'raft://op4.example:7000',
        'http://op4.example:8000',
        params,
      );
    expect(await revertName(register(mixed), h)).toBe('InvalidProofOfPossession');
    // A valid proof made for another operator address does not transfer.
    const forOther = await registrationParams(h.registry, ops[5]!.wallet.address, op.key);
    expect(await revertName(register(forOther), h)).toBe('InvalidProofOfPossession');
    // G2 key of another secret.
    const otherG2 = { ...good, pubkeyG2: wrongKey.pubkeyG2 };
    expect(await revertName(register(otherG2), h)).toBe('InvalidProofOfPossession');
    // An already registered key cannot be claimed by a second address.
    const stolen = await registrationParams(h.registry, op.wallet.address, ops[0]!.key);
    expect(await revertName(register(stolen), h)).toBe('PubkeyAlreadyRegistered');
  });

  it('keeps endpoints unique across operators and frees them on deregistration', async () => {
    const op = ops[5]!;
    const reg = h.registry.connect(op.wallet) as Contract;
    const params = await registrationParams(h.registry, op.wallet.address, op.key);
    const register = (raft: string, http: string) =>
      mined(reg.getFunction('registerOperator')('0x00', raft, http, params));
    expect(await revertName(register('raft://op0.example:7000', 'http://op5.example:8000'), h)).toBe(
      'EndpointTaken',
    );
    expect(await revertName(register('raft://op5.example:7000', 'http://op1.example:8000'), h)).toBe(
      'EndpointTaken',
    );
    expect(await revertName(register('raft://op5 .example', 'http://op5.example:8000'), h)).toBe(
      'InvalidEndpoint',
    );
    expect((await register('raft://op5.example:7000', 'http://op5.example:8000')).status).toBe(1);
    const taken = reg.getFunction('updateEndpoints')('raft://op5.example:7000', 'http://op2.example:8000');
    expect(await revertName(taken, h)).toBe('EndpointTaken');
    const registeredAt = await h.provider.getBlockNumber();
    await mined(reg.getFunction('deregisterOperator')('0x00'));
    expect(await h.registry.getFunction('isRegistered')(op.wallet.address)).toBe(false);
    expect(await h.registry.getFunction('endpointHolder')('raft://op5.example:7000')).toBe(
      `0x${'00'.repeat(32)}`,
    );
    // History: at the registration block the operator was in quorum 0 with its endpoints.
    const [raft, http] = await h.registry.getFunction('getEndpointsAtBlockNumber')(
      op.key.operatorId,
      registeredAt,
    );
    expect([raft, http]).toEqual(['raft://op5.example:7000', 'http://op5.example:8000']);
    const state = await h.retriever.getFunction('getOperatorState(address,bytes,uint32)')(
      await h.registry.getAddress(),
      '0x00',
      registeredAt,
    );
    expect(state[0].map((o: { operatorId: string }) => o.operatorId)).toContain(op.key.operatorId);
    const now = await h.retriever.getFunction('getOperatorState(address,bytes,uint32)')(
      await h.registry.getAddress(),
      '0x00',
      await h.provider.getBlockNumber(),
    );
    expect(now[0].map((o: { operatorId: string }) => o.operatorId)).not.toContain(op.key.operatorId);
  });

  it('reports state through the EigenLayer-shaped views', async () => {
    const registry = await h.registry.getAddress();
    const block = await h.provider.getBlockNumber();
    const [bitmap, state] = await h.retriever.getFunction('getOperatorState(address,bytes32,uint32)')(
      registry,
      ops[3]!.key.operatorId,
      block,
    );
    expect(bitmap).toBe(2n);
    expect(state).toHaveLength(1);
    expect(state[0][0].operator).toBe(ops[3]!.wallet.address);
    expect(state[0][0].stake).toBe(100n);
    expect(await h.registry.getFunction('getOperatorSocket')(ops[0]!.key.operatorId)).toBe(
      'raft://op0.example:7000 http://op0.example:8000',
    );
    const [pk, id] = await h.registry.getFunction('getRegisteredPubkey')(ops[1]!.wallet.address);
    expect(id).toBe(ops[1]!.key.operatorId);
    expect(pk.X).toBe(g1ToSolidity(ops[1]!.key.publicKeyG1).X);
  });
});
