/**
 * The one-response-per-task guard both task managers (ours and Incredible Squaring's) submit through.
 */
import { ContractRevertError, SubmissionInProgressError, TaskAlreadyRespondedError } from './errors.js';
import type { SubmittedResponse } from './task-manager-client.js';
import type { TransactionSender } from './transaction-sender.js';

/** What {@link respondOnce} needs from its task manager. */
export interface RespondOnceOptions {
  /** Task indexes with a submission in flight in this client (shared by its calls). */
  readonly inFlight: Set<number>;
  readonly isResponded: (taskIndex: number) => Promise<boolean>;
  /** Builds the `respondToTask` call data (after the answered-check, so reads happen only when needed). */
  readonly callData: () => Promise<string>;
  readonly sender: TransactionSender;
  readonly to: string;
  /** Whether a revert means "already answered" (a custom error name, or the contract's state). */
  readonly alreadyResponded: (error: ContractRevertError) => Promise<boolean>;
}

/**
 * Sends `respondToTask` for `taskIndex` at most once at a time from this client and never for a task
 * answered on-chain: refuses a second concurrent call, checks the contract first, and maps a revert
 * that means "already answered" to TaskAlreadyRespondedError.
 * @throws SubmissionInProgressError, TaskAlreadyRespondedError, ContractRevertError, RpcUnavailableError
 */
export async function respondOnce(
  taskIndex: number,
  options: RespondOnceOptions,
): Promise<SubmittedResponse> {
  const { inFlight } = options;
  if (inFlight.has(taskIndex)) throw new SubmissionInProgressError(taskIndex);
  inFlight.add(taskIndex);
  try {
    if (await options.isResponded(taskIndex)) throw new TaskAlreadyRespondedError(taskIndex);
    const data = await options.callData();
    try {
      const receipt = await options.sender.send({ to: options.to, data }, `respondToTask(${taskIndex})`);
      return { transactionHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed };
    } catch (error) {
      if (error instanceof ContractRevertError && (await options.alreadyResponded(error))) {
        throw new TaskAlreadyRespondedError(taskIndex);
      }
      throw error;
    }
  } finally {
    inFlight.delete(taskIndex);
  }
}
