import { describe, expect, it } from 'vitest';
import { resolveResponseProcessor } from './callbacks.js';

describe('default response processor', () => {
  type R = { taskIndex?: number; referenceTaskIndex?: number; numberSquared: bigint };
  const digestOf = (r: R) => `0x${r.numberSquared.toString(16).padStart(64, '0')}` as const;

  it('takes the digest from digestOf and the task index from the response', async () => {
    const process = resolveResponseProcessor<R>({}, { digestOf });
    expect(await process({ taskIndex: 4, numberSquared: 49n })).toEqual({
      taskIndex: 4,
      digest: digestOf({ numberSquared: 49n }),
    });
    expect((await process({ referenceTaskIndex: 7, numberSquared: 1n })).taskIndex).toBe(7);
  });

  it('prefers the application callback and refuses a config with neither', async () => {
    const custom = resolveResponseProcessor<R>(
      { onLeaderProcessTaskResponse: () => ({ taskIndex: 1, digest: `0x${'00'.repeat(32)}` }) },
      { digestOf },
    );
    expect((await custom({ taskIndex: 9, numberSquared: 2n })).taskIndex).toBe(1);
    expect(() => resolveResponseProcessor({}, {})).toThrow(TypeError);
    await expect(resolveResponseProcessor<R>({}, { digestOf })({ numberSquared: 1n })).rejects.toThrow(
      'taskIndex',
    );
  });
});
