import { AbiCoder, keccak256 } from 'ethers';
import { describe, expect, it } from 'vitest';
import { abiDigest, resolveResponseProcessor } from './callbacks.js';

describe('default response digest', () => {
  const type = 'tuple(uint32 taskIndex, uint256 numberSquared)';

  it('is keccak256(abi.encode(response)) with the task index from the response', async () => {
    const process = resolveResponseProcessor({}, { responseAbiType: type });
    const response = { taskIndex: 4, numberSquared: 49n };
    const expected = keccak256(AbiCoder.defaultAbiCoder().encode([type], [[4, 49n]]));
    expect(abiDigest(type, response)).toBe(expected);
    expect(await process(response)).toEqual({ taskIndex: 4, digest: expected });
  });

  it('prefers the application callback and refuses a config with neither', async () => {
    const custom = resolveResponseProcessor(
      { onLeaderProcessTaskResponse: () => ({ taskIndex: 1, digest: `0x${'00'.repeat(32)}` }) },
      {},
    );
    expect((await custom({})).taskIndex).toBe(1);
    expect(() => resolveResponseProcessor({}, {})).toThrow(TypeError);
    await expect(
      resolveResponseProcessor({}, { responseAbiType: type })({ numberSquared: 1n }),
    ).rejects.toThrow('taskIndex');
  });
});
