import { describe, expect, it } from 'vitest';
import { RpcUnavailableError } from './errors.js';
import { isTransientRpcError, withRetry } from './retry.js';

describe('withRetry', () => {
  it('retries transient errors and returns the first success', async () => {
    let calls = 0;
    const value = await withRetry(
      'test',
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('socket hang up'), { code: 'NETWORK_ERROR' });
        return 42;
      },
      { baseDelayMs: 1 },
    );
    expect(value).toBe(42);
    expect(calls).toBe(3);
  });

  it('gives up with RpcUnavailableError after the last attempt', async () => {
    let calls = 0;
    const failing = withRetry(
      'eth_call',
      async () => {
        calls++;
        throw Object.assign(new Error('timeout'), { code: 'TIMEOUT' });
      },
      { attempts: 2, baseDelayMs: 1 },
    );
    await expect(failing).rejects.toBeInstanceOf(RpcUnavailableError);
    expect(calls).toBe(2);
  });

  it('does not retry reverts or bad arguments', async () => {
    let calls = 0;
    const revert = Object.assign(new Error('execution reverted'), { code: 'CALL_EXCEPTION' });
    await expect(
      withRetry('x', async () => {
        calls++;
        throw revert;
      }),
    ).rejects.toBe(revert);
    expect(calls).toBe(1);
    expect(isTransientRpcError(revert)).toBe(false);
    expect(isTransientRpcError({ error: { code: -32005, message: 'limit exceeded' } })).toBe(true);
    expect(isTransientRpcError(new Error('429 Too Many Requests'))).toBe(true);
    expect(isTransientRpcError('nope')).toBe(false);
    // Revert data can contain "429" or "timeout"-like bytes: still not transient.
    expect(isTransientRpcError({ code: 'CALL_EXCEPTION', message: 'execution reverted data=0x429' })).toBe(
      false,
    );
    expect(isTransientRpcError(new Error('custom error 0x713a429e'))).toBe(false);
  });
});
