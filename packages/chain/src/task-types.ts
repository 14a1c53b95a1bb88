import { AbiCoder, keccak256 } from 'ethers';
import { z } from 'zod';
import { parsedAbiType } from './abi-digest.js';
import { InvalidArgumentError } from './errors.js';
import { quorumNumbersFromBytes, quorumNumbersToBytes } from './quorums.js';

/** A task as the TaskManager stores it (its hash) and emits it (NewTaskCreated). */
export interface Task {
  /** keccak256 of the application payload, 0x + 64 hex. */
  payloadHash: string;
  /** Block whose operator state must sign (creation block - 1). */
  referenceBlockNumber: number;
  /** Percent (1..100) of each quorum's stake that must sign. */
  quorumThresholdPercentage: number;
  quorumNumbers: number[];
}

/** The response operators sign: keccak256(abi.encode(TaskResponse)). */
export interface TaskResponse {
  referenceTaskIndex: number;
  /** The application's result, ABI bytes as 0x-hex. */
  result: string;
}

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected 0x + 64 hex digits');
const uint32 = z.number().int().min(0).max(0xffffffff);

/** zod schema of {@link Task} (for tasks received from peers). */
export const taskSchema = z.object({
  payloadHash: hex32,
  referenceBlockNumber: uint32,
  quorumThresholdPercentage: z.number().int().min(1).max(100),
  quorumNumbers: z.array(z.number().int().min(0).max(191)).min(1).max(192),
});

/** zod schema of {@link TaskResponse}. */
export const taskResponseSchema = z.object({
  referenceTaskIndex: uint32,
  result: z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-hex bytes'),
});

const coder = AbiCoder.defaultAbiCoder();

/** The struct tuple ethers encodes for a {@link Task}. */
export function taskToStruct(task: Task) {
  return {
    payloadHash: task.payloadHash,
    referenceBlockNumber: task.referenceBlockNumber,
    quorumThresholdPercentage: task.quorumThresholdPercentage,
    quorumNumbers: quorumNumbersToBytes(task.quorumNumbers),
  };
}

/** A {@link Task} from the decoded event struct. */
export function taskFromStruct(s: {
  payloadHash: string;
  referenceBlockNumber: bigint | number;
  quorumThresholdPercentage: bigint | number;
  quorumNumbers: string;
}): Task {
  return {
    payloadHash: s.payloadHash,
    referenceBlockNumber: Number(s.referenceBlockNumber),
    quorumThresholdPercentage: Number(s.quorumThresholdPercentage),
    quorumNumbers: quorumNumbersFromBytes(s.quorumNumbers),
  };
}

/**
 * The digest operators BLS-sign for a response: keccak256(abi.encode(TaskResponse)), exactly as
 * TaskManager.respondToTask recomputes it.
 * @throws InvalidArgumentError for a malformed response.
 */
export function taskResponseDigest(response: TaskResponse): `0x${string}` {
  const r = taskResponseSchema.safeParse(response);
  if (!r.success) throw new InvalidArgumentError(`invalid task response: ${r.error.message}`);
  return keccak256(
    coder.encode(
      [parsedAbiType('tuple(uint32 referenceTaskIndex, bytes result)')],
      [[r.data.referenceTaskIndex, r.data.result]],
    ),
  ) as `0x${string}`;
}

/** keccak256(abi.encode(Task)): what TaskManager.allTaskHashes stores. */
export function taskHash(task: Task): `0x${string}` {
  const s = taskToStruct(task);
  return keccak256(
    coder.encode(
      [
        'tuple(bytes32 payloadHash, uint32 referenceBlockNumber, uint32 quorumThresholdPercentage, bytes quorumNumbers)',
      ],
      [[s.payloadHash, s.referenceBlockNumber, s.quorumThresholdPercentage, s.quorumNumbers]],
    ),
  ) as `0x${string}`;
}
