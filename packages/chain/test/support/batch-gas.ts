// Measures respondToBatch gas per task by batch size (used by bench/chain.bench.ts).
import { keccak256, toUtf8Bytes } from 'ethers';
import { taskBatchOf } from '../../src/index.js';
import { type AvsNetwork, aggregateFor } from './avs-network.js';

export interface BatchGasRow {
  tasks: number;
  /** gasUsed of the respondToBatch transaction (intrinsic gas and calldata included). */
  gasUsed: number;
  gasPerTask: number;
}

/** One batch per size, tasks created together (one reference block), every operator signing. */
export async function measureBatchGas(net: AvsNetwork, sizes: number[]): Promise<BatchGasRow[]> {
  const rows: BatchGasRow[] = [];
  for (const size of sizes) {
    const created = await net.tasks.createTasks({
      payloadHashes: Array.from({ length: size }, (_, i) => keccak256(toUtf8Bytes(`batch gas ${size} ${i}`))),
      quorumNumbers: [0],
      quorumThresholdPercentage: 67,
    });
    const tasks = created.map((c) => c.task);
    // A 32-byte result per task, as an application would return.
    const responses = created.map((c) => ({
      referenceTaskIndex: c.taskIndex,
      result: keccak256(toUtf8Bytes(`r${c.taskIndex}`)),
    }));
    const batch = taskBatchOf(tasks, responses);
    const signers = net.operators.map((o) => o.key);
    const aggregate = await aggregateFor(net, 0, tasks[0]!, batch.digest, signers);
    const submitted = await net.tasks.submitBatch(tasks, responses, aggregate);
    const gasUsed = Number(submitted.gasUsed);
    rows.push({ tasks: size, gasUsed, gasPerTask: Math.round(gasUsed / size) });
  }
  return rows;
}
