import { backoffDelay } from '@avs/retry';
import { describe, expect, it } from 'vitest';
import { isRetryable, retryPolicy, withDynamoRetry } from './retry-policy.js';

describe('retry policy', () => {
  it('backs off exponentially with full jitter under a cap', () => {
    const top = retryPolicy({ baseDelayMs: 10, maxDelayMs: 100, random: () => 0.999_999 });
    expect([1, 2, 3, 4, 5, 11].map((retry) => backoffDelay(top, retry, top.random))).toEqual([
      9, 19, 39, 79, 99, 99,
    ]);
    const bottom = retryPolicy({ baseDelayMs: 10, maxDelayMs: 100, random: () => 0 });
    expect(backoffDelay(bottom, 3, bottom.random)).toBe(0);
  });

  it('retries throttling, 5xx and dropped connections, not validation or conditional failures', () => {
    expect(isRetryable({ name: 'ProvisionedThroughputExceededException' })).toBe(true);
    expect(isRetryable({ name: 'ThrottlingException' })).toBe(true);
    expect(isRetryable({ name: 'X', $metadata: { httpStatusCode: 503 } })).toBe(true);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } })).toBe(false);
    expect(isRetryable({ name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } })).toBe(
      false,
    );
    expect(isRetryable('a string')).toBe(false);
  });

  it('gives up after `attempts` with a typed error carrying the last failure', async () => {
    const delays: number[] = [];
    const policy = retryPolicy({
      attempts: 3,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const throttled = { name: 'ThrottlingException' };
    let calls = 0;
    const failing = withDynamoRetry(policy, 'PutItem', async () => {
      calls++;
      throw throttled;
    });
    await expect(failing).rejects.toMatchObject({
      code: 'DYNAMO_RETRIES_EXHAUSTED',
      attempts: 3,
      cause: throttled,
    });
    expect(calls).toBe(3);
    expect(delays).toEqual([12, 25]);
    calls = 0;
    await expect(
      withDynamoRetry(policy, 'PutItem', async () => {
        if (++calls < 3) throw throttled;
        return 'done';
      }),
    ).resolves.toBe('done');
  });
});
