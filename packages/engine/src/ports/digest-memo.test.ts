import { describe, expect, it } from 'vitest';
import { resolveResponseProcessor } from './callbacks.js';
import { plainDataKey } from './digest-memo.js';

describe('the default response processor memo', () => {
  it('digests an equal response once, and a different one again', async () => {
    let calls = 0;
    const process = resolveResponseProcessor<{ referenceTaskIndex: number; result: string }>(
      {},
      {
        digestOf: (r) => {
          calls++;
          return `0x${String(r.referenceTaskIndex).padStart(64, '0')}`;
        },
      },
    );
    const a = await process({ referenceTaskIndex: 7, result: '0x01' });
    const b = await process({ referenceTaskIndex: 7, result: '0x01' }); // another copy (another member's)
    expect(b).toEqual(a);
    expect(calls).toBe(1);
    expect((await process({ referenceTaskIndex: 8, result: '0x01' })).taskIndex).toBe(8);
    expect(calls).toBe(2);
  });

  it('does not memoise a failure: the next call digests again', async () => {
    let calls = 0;
    const process = resolveResponseProcessor<{ taskIndex: number }>(
      {},
      {
        digestOf: () => {
          calls++;
          if (calls === 1) throw new Error('bad value');
          return `0x${'1'.repeat(64)}`;
        },
      },
    );
    await expect(process({ taskIndex: 1 })).rejects.toThrow('bad value');
    await expect(process({ taskIndex: 1 })).resolves.toMatchObject({ taskIndex: 1 });
    expect(calls).toBe(2);
  });

  it('a custom onLeaderProcessTaskResponse is called every time (it may not be pure)', async () => {
    let calls = 0;
    const process = resolveResponseProcessor<{ taskIndex: number }>(
      {
        onLeaderProcessTaskResponse: (r) => {
          calls++;
          return { taskIndex: r.taskIndex, digest: `0x${'2'.repeat(64)}` };
        },
      },
      {},
    );
    await process({ taskIndex: 1 });
    await process({ taskIndex: 1 });
    expect(calls).toBe(2);
  });

  it('keys plain data only: values whose JSON could equal another value are not memoised', () => {
    expect(plainDataKey({ a: 1, b: ['x', null, true] })).toBe('{"a":1,"b":["x",null,true]}');
    expect(plainDataKey({ a: 5n })).toBeUndefined(); // bigint
    expect(plainDataKey({ a: '5' })).toBeDefined();
    expect(plainDataKey({ a: new Uint8Array([1]) })).toBeUndefined(); // would be {"0":1}
    expect(plainDataKey({ a: undefined })).toBeUndefined(); // would be {}
    expect(plainDataKey({ a: Number.NaN })).toBeUndefined(); // would be null
    expect(plainDataKey({ a: new Date(0) })).toBeUndefined();
  });
});
