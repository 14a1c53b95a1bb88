import { ManualClock } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { keyPair, operators, verifiesOnChain } from '../../test/aggregation-fixtures.js';
import { asAggregated, D1, D2, flush, setup, task } from '../../test/aggregation-service-harness.js';
import { G1 } from '../curve.js';
import { digestToHex } from '../digest.js';
import { g1ToJson } from '../encoding.js';
import { InvalidEncodingError, InvalidPointError } from '../errors.js';
import {
  InvalidTaskError,
  OperatorStateError,
  TaskExistsError,
  TaskFinishedError,
  UnknownTaskError,
} from './errors.js';
import { BlsAggregationService } from './service.js';
import type { ExpiredResult, OperatorStateProvider } from './types.js';

describe('BlsAggregationService: expiry, window, lifecycle', () => {
  it('expires by wall clock with the best progress, exactly once', async () => {
    const s = setup(4);
    const iter = s.service.results();
    await s.service.initializeTask(task(1, { expiry: { afterMs: 5_000 } }));
    await s.sign(1, 0, D2);
    await s.sign(1, 1);
    await s.sign(1, 2);
    await s.clock.advance(4_999);
    expect(s.results).toEqual([]);
    await s.clock.advance(1);
    const r = (await s.service.resultOf(1)) as ExpiredResult;
    expect(r.status).toBe('expired');
    expect(r.reason).toBe('time');
    expect(r.best).toEqual({
      digest: digestToHex(D1),
      signedStakePerQuorum: [200n],
      totalStakePerQuorum: [400n],
      signerCount: 2,
    });
    await expect(s.sign(1, 3)).rejects.toBeInstanceOf(TaskFinishedError);
    await s.clock.advance(100_000);
    s.service.observeBlock(1_000_000);
    expect(s.results).toHaveLength(1);
    expect((await iter.next()).value).toBe(r);
    expect(s.clock.pending).toBe(0);
  });

  it('expires by block number', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { expiry: { atBlock: 20 } }));
    await s.sign(1, 0);
    s.service.observeBlock(19);
    expect(s.results).toEqual([]);
    s.service.observeBlock(20);
    const r = (await s.service.resultOf(1)) as ExpiredResult;
    expect([r.status, r.reason, r.best?.signerCount]).toEqual(['expired', 'block', 1]);
  });

  it('a task whose expiry block has already been seen expires at once', async () => {
    const s = setup(3);
    s.service.observeBlock(50);
    await s.service.initializeTask(task(1, { expiry: { atBlock: 40 } }));
    expect(((await s.service.resultOf(1)) as ExpiredResult).best).toBeNull();
  });

  it('keeps collecting during the window after the threshold, then delivers', async () => {
    const s = setup(5);
    await s.service.initializeTask(task(1, { thresholdPercentages: [60], windowMs: 1_000 }));
    for (const i of [0, 1, 2]) await s.sign(1, i);
    await flush();
    expect(s.results).toEqual([]); // threshold met and verified; window open
    await s.sign(1, 3);
    await s.clock.advance(999);
    expect(s.results).toEqual([]);
    await s.clock.advance(1);
    const r = asAggregated(await s.service.resultOf(1));
    expect(r.signedStakePerQuorum).toEqual([400n]);
    expect(verifiesOnChain(r, () => 1)).toBe(true);
  });

  it('closes the window early once every operator signed, and verifies window signatures', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { thresholdPercentages: [60], windowMs: 60_000 }));
    await s.sign(1, 0);
    await s.sign(1, 1);
    await flush();
    await s.service.processSignature({
      taskIndex: 1,
      digest: D1,
      signature: G1.BASE,
      operatorId: keyPair(2).operatorId,
    });
    const r = asAggregated(await s.service.resultOf(1));
    expect(r.signedStakePerQuorum).toEqual([200n]); // the bad window signature was dropped
    expect(s.invalid).toHaveLength(1);
    expect(verifiesOnChain(r, () => 1)).toBe(true);
  });

  it('a threshold reached before a deadline is not lost to the deadline', async () => {
    const s = setup(3);
    await s.service.initializeTask(task(1, { expiry: { afterMs: 10 } }));
    // processSignature accepts synchronously for a loaded task; verification waits for a microtask.
    const all = [0, 1, 2].map((i) => s.sign(1, i));
    const advanced = s.clock.advance(10); // the deadline fires in the same turn, before that microtask
    expect(s.results.map((r) => r.status)).toEqual(['aggregated']);
    await advanced;
    await Promise.all(all);
    expect(verifiesOnChain(asAggregated(await s.service.resultOf(1)), () => 1)).toBe(true);
    expect(s.results).toHaveLength(1);
  });

  it('signatures sent while the operator state loads wait for it', async () => {
    const { provider } = operators(3);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: OperatorStateProvider = {
      getOperatorState: async (b, q) => {
        await gate;
        return provider.getOperatorState(b, q);
      },
    };
    const service = new BlsAggregationService({ operatorState: slow, clock: new ManualClock() });
    const init = service.initializeTask(task(1));
    const sent = [0, 1, 2].map((i) =>
      service.processSignature({
        taskIndex: 1,
        digest: D1,
        signature: keyPair(i).sign(D1),
        operatorId: keyPair(i).operatorId,
      }),
    );
    release();
    await init;
    await Promise.all(sent);
    expect((await service.resultOf(1)).status).toBe('aggregated');
  });

  it('rejects unknown tasks, malformed input, bad parameters and reused task indices at once', async () => {
    const s = setup(3);
    await expect(s.sign(9, 0)).rejects.toBeInstanceOf(UnknownTaskError);
    await s.service.initializeTask(task(1));
    await expect(s.service.initializeTask(task(1))).rejects.toBeInstanceOf(TaskExistsError);
    const base = {
      taskIndex: 1,
      digest: D1,
      signature: keyPair(0).sign(D1),
      operatorId: keyPair(0).operatorId,
    };
    await expect(s.service.processSignature({ ...base, signature: { X: 1n, Y: 3n } })).rejects.toBeInstanceOf(
      InvalidPointError,
    );
    await expect(
      s.service.processSignature({ ...base, signature: { X: '0', Y: '0' } }),
    ).rejects.toBeInstanceOf(InvalidPointError);
    await expect(s.service.processSignature({ ...base, digest: new Uint8Array(31) })).rejects.toBeInstanceOf(
      InvalidEncodingError,
    );
    await expect(s.service.processSignature({ ...base, operatorId: '0x1234' })).rejects.toBeInstanceOf(
      InvalidEncodingError,
    );
    // JSON-encoded signatures are accepted.
    await s.service.processSignature({ ...base, signature: g1ToJson(keyPair(0).sign(D1)) });
    for (const bad of [
      task(2, { quorumNumbers: [] }),
      task(2, { thresholdPercentages: [101] }),
      task(2, { quorumNumbers: [0, 0], thresholdPercentages: [50, 50] }),
      task(2, { quorumNumbers: [0, 1] }),
      task(2, { expiry: {} }),
      task(-1),
    ]) {
      await expect(s.service.initializeTask(bad)).rejects.toBeInstanceOf(InvalidTaskError);
    }
  });

  it('a failing provider rejects initializeTask with OperatorStateError and leaves no task', async () => {
    const service = new BlsAggregationService({
      operatorState: { getOperatorState: async () => Promise.reject(new Error('rpc down')) },
      clock: new ManualClock(),
    });
    await expect(service.initializeTask(task(1))).rejects.toBeInstanceOf(OperatorStateError);
    expect(service.activeTaskCount).toBe(0);
    await expect(
      service.processSignature({
        taskIndex: 1,
        digest: D1,
        signature: keyPair(0).sign(D1),
        operatorId: keyPair(0).operatorId,
      }),
    ).rejects.toBeInstanceOf(UnknownTaskError);
  });

  it('a throwing listener goes to onError and does not stop delivery', async () => {
    const { provider } = operators(1);
    const errors: unknown[] = [];
    const service = new BlsAggregationService({
      operatorState: provider,
      clock: new ManualClock(),
      onError: (e) => errors.push(e),
    });
    const seen: number[] = [];
    service.onResult(() => {
      throw new Error('listener bug');
    });
    service.onResult((r) => seen.push(r.taskIndex));
    await service.initializeTask(task(1));
    await service.processSignature({
      taskIndex: 1,
      digest: D1,
      signature: keyPair(0).sign(D1),
      operatorId: keyPair(0).operatorId,
    });
    await service.resultOf(1);
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(1);
  });

  it('close() ends every task with one result and ends the iterators', async () => {
    const s = setup(3);
    const iter = s.service.results();
    await s.service.initializeTask(task(1));
    await s.service.initializeTask(task(2));
    await s.sign(2, 0);
    s.service.close();
    expect(s.results.map((r) => [r.taskIndex, r.status, (r as ExpiredResult).reason])).toEqual([
      [1, 'expired', 'closed'],
      [2, 'expired', 'closed'],
    ]);
    expect((await iter.next()).value.taskIndex).toBe(1);
    expect((await iter.next()).value.taskIndex).toBe(2);
    expect((await iter.next()).done).toBe(true);
    expect(s.clock.pending).toBe(0);
  });
});
