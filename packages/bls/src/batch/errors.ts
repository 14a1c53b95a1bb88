import { BlsError } from '../errors.js';

/** A batch cannot be built as asked: no tasks, a task twice, or tasks that cannot share one signature. */
export class InvalidBatchError extends BlsError {
  override readonly name = 'InvalidBatchError';
  constructor(message: string) {
    super('INVALID_BATCH', message);
  }
}
