/**
 * The follower's check before it signs (the engine's `validateTaskRequest`
 * hook): every task of a request must exist on-chain with the replicated
 * reference block, quorums and threshold, and (when the application says how
 * to hash its payloads) the request's payload hash. A leader then cannot get
 * signatures for a task nobody created, or for a payload nobody asked for.
 */
import { type CreatedTask, TaskNotFoundError } from '@avs/chain';
import type { TaskMeta } from '@avs/engine';

/** What the check reads: any task manager that can return a created task. */
export interface TaskReader {
  /** @throws TaskNotFoundError when no such task exists; anything else for an RPC failure */
  getTask(taskIndex: number, fromBlock?: number): Promise<CreatedTask>;
}

/** Options of {@link onChainTaskCheck}. */
export interface OnChainTaskCheckOptions<T> {
  /**
   * The payload hash of each task of a request, in the order of its tasks (0x + 64 hex). A request
   * whose count differs from its tasks' is refused. Default: payloads are not checked.
   */
  readonly payloadHashesOf?: (request: T) => readonly string[];
  /** First block scanned for task events (the deployment block); default 0. */
  readonly fromBlock?: number;
  /** Reads of a task that fail for any reason but "not found" are retried this many times more; default 3. */
  readonly retries?: number;
  /** Delay before the first retry, doubled each time; default 200 ms. */
  readonly retryDelayMs?: number;
}

/**
 * Builds the check.
 * @returns a function resolving `true` when every task matches, `false` on a mismatch or a task
 *   that is not on-chain; it rejects with the last error when reading a task keeps failing (after
 *   the retries), so the engine refuses to sign and reports the failure: an RPC outage is never
 *   mistaken for a verdict.
 */
export function onChainTaskCheck<T>(
  taskManager: TaskReader,
  options: OnChainTaskCheckOptions<T> = {},
): (request: T, tasks: readonly TaskMeta[]) => Promise<boolean> {
  const { payloadHashesOf, fromBlock = 0, retries = 3, retryDelayMs = 200 } = options;
  const read = async (taskIndex: number): Promise<CreatedTask | undefined> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await taskManager.getTask(taskIndex, fromBlock);
      } catch (error) {
        if (error instanceof TaskNotFoundError) return undefined;
        if (attempt >= retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs * 2 ** attempt));
      }
    }
  };
  return async (request, tasks) => {
    const hashes = payloadHashesOf?.(request);
    if (hashes !== undefined && hashes.length !== tasks.length) return false;
    for (const [i, meta] of tasks.entries()) {
      const created = await read(meta.taskIndex);
      if (created === undefined) return false;
      const t = created.task;
      if (
        t.referenceBlockNumber !== meta.referenceBlock ||
        t.quorumNumbers.join(',') !== meta.quorumNumbers.join(',') ||
        meta.thresholdPercentages.length !== t.quorumNumbers.length ||
        meta.thresholdPercentages.some((p) => p !== t.quorumThresholdPercentage) ||
        (hashes !== undefined && hashes[i]!.toLowerCase() !== t.payloadHash.toLowerCase())
      ) {
        return false;
      }
    }
    return true;
  };
}
