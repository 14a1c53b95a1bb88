import { describe, expect, it } from 'vitest';
import type { TaskManagerClient } from './task-manager-client.js';
import { avsTaskManager } from './task-manager-port.js';
import { taskResponseDigest } from './task-types.js';

describe('avsTaskManager (this project’s TaskManager as a TaskManagerPort)', () => {
  it('maps the payload to the payload hash and forwards every call to the client', async () => {
    const calls: [string, unknown[]][] = [];
    const record =
      (name: string, result: unknown = undefined) =>
      (...args: unknown[]) => {
        calls.push([name, args]);
        return Promise.resolve(result);
      };
    const client = {
      address: '0x00000000000000000000000000000000000000aA',
      createTask: record('createTask', { taskIndex: 1 }),
      getTask: record('getTask'),
      isResponded: record('isResponded', true),
      getResponse: record('getResponse'),
      submitResponse: record('submitResponse'),
      submitBatch: record('submitBatch'),
      watchTasks: () => () => {},
      watchResponses: () => () => {},
    } as unknown as TaskManagerClient;
    const port = avsTaskManager(client);
    const hash = `0x${'ab'.repeat(32)}`;
    expect(port.payloadHash(hash)).toBe(hash);
    await port.createTask({ payload: hash, quorumNumbers: [0], quorumThresholdPercentage: 67 });
    expect(calls.at(-1)).toEqual([
      'createTask',
      [{ payloadHash: hash, quorumNumbers: [0], quorumThresholdPercentage: 67 }],
    ]);
    const response = { referenceTaskIndex: 3, result: '0x01' };
    expect(port.responseDigest(response)).toBe(taskResponseDigest(response));
    expect(await port.isResponded(3)).toBe(true);
    await port.submitBatch?.([], [response], {} as never);
    expect(calls.at(-1)?.[0]).toBe('submitBatch');
  });
});
