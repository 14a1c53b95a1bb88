import { g1ToJson } from '@avs/bls';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineNotLeaderError, PeerCallError, type SignedTaskResponse } from '../src/index.js';
import { Cluster, type SquareResponse } from './support/cluster.js';
import { squareDigest } from './support/test-keys.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

describe('signed task responses at the leader', () => {
  it('refuses malformed, unknown and non-member submissions, judging each item on its own', async () => {
    // Every operator refuses to sign (validateTaskRequest), so the task stays open while we probe the leader.
    cluster = new Cluster({
      size: 3,
      thresholdPercentage: 100,
      started: 2,
      callbacks: { validateTaskRequest: () => false },
    });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const member = c.operators.find((o) => o !== leader && o.engine.status().started)!;
    const outsider = c.operators[2]!;
    const refused: string[] = [];
    member.engine.on('request-refused', (e) => refused.push(e.requestId));
    const { requestId, taskIndexes } = await c.sendRequest(6, 2);
    const [t1, t2] = taskIndexes as [number, number];
    await c.waitFor(() => refused.includes(requestId), 'the member to refuse to sign');
    const response = (taskIndex: number, n = 6): SquareResponse => ({
      taskIndex,
      number: n,
      numberSquared: String(n * n),
    });
    const sign = (k: SquareResponse) => g1ToJson(member.bls.sign(squareDigest(k)));
    const send = (from: string, body: unknown) =>
      c.drive(
        c.net
          .endpoint(from)
          .client.submitResponses({ id: leader.address, httpUrl: '' }, body as never, 1_000),
        'submit',
      );
    const signed = (
      items: SquareResponse[],
      overrides: Partial<SignedTaskResponse<SquareResponse>> = {},
    ) => ({
      requestId,
      operatorId: member.bls.operatorId,
      taskResponse: items,
      blsSignature: items.map(sign),
      ...overrides,
    });

    // Not a member.
    await expect(send(outsider.address, signed([response(t1)]))).rejects.toMatchObject({
      remoteCode: 'RESPONSE_NOT_MEMBER',
    });
    // Malformed as a whole.
    await expect(
      send(member.address, { requestId, operatorId: member.bls.operatorId }),
    ).rejects.toMatchObject({
      remoteCode: 'RESPONSE_MALFORMED',
    });
    await expect(
      send(member.address, { ...signed([response(t1)]), blsSignature: [] }),
    ).rejects.toBeInstanceOf(PeerCallError);
    // Claims another operator's id.
    await expect(
      send(member.address, signed([response(t1)], { operatorId: leader.bls.operatorId })),
    ).rejects.toMatchObject({ remoteCode: 'RESPONSE_OPERATOR_MISMATCH' });
    // Unknown request.
    const unknown = await send(member.address, signed([response(t1)], { requestId: 'req-nope' }));
    expect(unknown.verdicts).toEqual([
      expect.objectContaining({ accepted: false, code: 'RESPONSE_UNKNOWN_REQUEST' }),
    ]);
    // One batch, judged item by item: malformed K, a task of no request, a bad signature, and a good one.
    const mixed = await send(member.address, {
      requestId,
      operatorId: member.bls.operatorId,
      taskResponse: [{ taskIndex: t1, number: 'six' }, response(9_999), response(t2), response(t1)],
      blsSignature: [sign(response(t1)), sign(response(9_999)), { X: '1', Y: '1' }, sign(response(t1))],
    });
    expect(mixed.verdicts.map((v) => [v.accepted, v.code])).toEqual([
      [false, 'RESPONSE_MALFORMED'],
      [false, 'RESPONSE_UNKNOWN_TASK'],
      [false, 'RESPONSE_SIGNATURE_REFUSED'],
      [true, undefined],
    ]);
    // The same signature again is a duplicate.
    const again = await send(member.address, signed([response(t1)]));
    expect(again.verdicts[0]).toMatchObject({ accepted: false, code: 'RESPONSE_SIGNATURE_REFUSED' });
    // Sent to a follower instead of the leader.
    await expect(
      c.drive(
        c.net
          .endpoint(leader.address)
          .client.submitResponses({ id: member.address, httpUrl: '' }, signed([response(t1)]), 1_000),
        'to follower',
      ),
    ).rejects.toBeInstanceOf(EngineNotLeaderError);
    expect(leader.engine.status().role).toBe('leader');
  });
});

describe('several responses per request (oracle-style), 5 engines', () => {
  it('aggregates each task of a request on its own and submits each once', async () => {
    cluster = new Cluster({ size: 5, thresholdPercentage: 60 });
    const c = cluster;
    await c.start();
    const { taskIndexes } = await c.sendRequest(11, 3);
    expect(taskIndexes).toHaveLength(3);
    await c.waitFor(
      () => taskIndexes.every((i) => c.operators.every((o) => o.engine.task(i)?.status === 'submitted')),
      'all three tasks submitted everywhere',
    );
    for (const i of taskIndexes) {
      expect(c.chain.response(i)?.response).toMatchObject({ taskIndex: i, numberSquared: '121' });
    }
    expect(new Set(taskIndexes.map((i) => c.chain.response(i)!.txHash)).size).toBe(3);
    expect(c.chain.duplicateSubmissions).toBe(0);
  });
});

describe('a request of many tasks, 3 engines', () => {
  it('signs and judges them across event-loop turns, and aggregates and submits each task once', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 67 });
    const c = cluster;
    await c.start();
    // More than two batches of WORK_ITEMS_PER_TURN: signing and judging yield in between.
    const { taskIndexes } = await c.sendRequest(5, 19);
    expect(taskIndexes).toHaveLength(19);
    await c.waitFor(
      () => taskIndexes.every((i) => c.operators.every((o) => o.engine.task(i)?.status === 'submitted')),
      'all 19 tasks submitted everywhere',
    );
    for (const i of taskIndexes) {
      expect(c.chain.response(i)?.response).toMatchObject({ taskIndex: i, numberSquared: '25' });
      expect(c.operators[0]!.engine.task(i)?.aggregate?.signers).toHaveLength(3);
    }
    expect(c.chain.duplicateSubmissions).toBe(0);
    expect(c.chain.invalidSubmissions).toBe(0);
  });
});

describe('expiry', () => {
  it('a task that cannot reach its threshold expires by time, and one by block, each recorded once', async () => {
    cluster = new Cluster({ size: 3, thresholdPercentage: 100, started: 2 });
    const c = cluster;
    await c.start();
    const leader = c.leader()!;
    const byTime = c.chain.createTask({ thresholdPercentages: [100] });
    await c.drive(
      leader.engine.leaderSendTaskRequestToFollowers({ numberToBeSquared: 2 }, [
        { ...byTime, expiresAtMs: c.clock.now() + 500 },
      ]),
      'request by time',
    );
    const byBlock = c.chain.createTask({ thresholdPercentages: [100] });
    const block = await c.chain.latestBlock();
    await c.drive(
      leader.engine.leaderSendTaskRequestToFollowers({ numberToBeSquared: 3 }, [
        { ...byBlock, expiresAtBlock: block + 2 },
      ]),
      'request by block',
    );
    await c.waitFor(() => leader.engine.task(byTime.taskIndex)?.status === 'expired', 'expiry by time');
    expect(leader.engine.task(byBlock.taskIndex)?.status).toBe('pending');
    c.chain.mine(2);
    await c.waitFor(() => leader.engine.task(byBlock.taskIndex)?.status === 'expired', 'expiry by block');
    expect(c.chain.responses()).toHaveLength(0);
  });
});
