/**
 * The follower's check before it signs (the engine's `validateTaskRequest`
 * hook): a task request must match the tasks as created on-chain, so a leader
 * cannot get signatures for a payload nobody asked for.
 */
import { type TaskManagerClient, TaskNotFoundError } from '@avs/chain';
import type { TaskMeta } from '@avs/engine';
import { payloadHash, type TaskRequest } from './example-avs.js';

/**
 * Builds the check: each payload of the request must hash to the payload hash
 * of its on-chain task (`NewTaskCreated`), whose reference block and quorums
 * must be the ones in the replicated task metadata.
 * @param taskManager reads created tasks (cached, scanning from `fromBlock`)
 * @param fromBlock the first block to scan (the deployment block)
 * @returns `true` when every task matches; `false` on any mismatch or a task that is not on-chain;
 *   rejects on a chain read error (the engine then refuses to sign and reports it)
 */
export function onChainTaskCheck(
  taskManager: Pick<TaskManagerClient, 'getTask'>,
  fromBlock: number,
): (request: TaskRequest, tasks: readonly TaskMeta[]) => Promise<boolean> {
  return async (request, tasks) => {
    if (request.payloads.length !== tasks.length) return false;
    for (const [i, meta] of tasks.entries()) {
      let created: Awaited<ReturnType<TaskManagerClient['getTask']>>;
      try {
        created = await taskManager.getTask(meta.taskIndex, fromBlock);
      } catch (error) {
        if (error instanceof TaskNotFoundError) return false;
        throw error;
      }
      const t = created.task;
      if (
        t.payloadHash.toLowerCase() !== payloadHash(request.payloads[i]!).toLowerCase() ||
        t.referenceBlockNumber !== meta.referenceBlock ||
        t.quorumNumbers.join(',') !== meta.quorumNumbers.join(',')
      ) {
        return false;
      }
    }
    return true;
  };
}
