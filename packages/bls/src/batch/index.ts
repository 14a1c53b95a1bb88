export { InvalidBatchError } from './errors.js';
export { type Hex32, merkleProof, merkleRoot, verifyMerkleProof } from './merkle.js';
export {
  BATCH_DIGEST_TAG,
  type BatchTask,
  batchDigest,
  batchTaskParams,
  buildTaskBatch,
  groupTaskBatches,
  type TaskBatch,
} from './task-batch.js';
