/**
 * The example AVSs the devnet drives. A task's payload is JSON; its hash is
 * what `createNewTask` stores on-chain, so a follower can check the request it
 * is asked to sign against the chain before signing.
 *
 * - `squaring`: the request is a number; the response is the number and its square.
 * - `oracle`: one request asks for several prices; each has its own on-chain
 *   task, so an operator returns several responses per request.
 */
import { abiDigest } from '@avs/chain';
import { AbiCoder, keccak256, toUtf8Bytes } from 'ethers';
import { z } from 'zod';
import type { AvsTaskModule } from './task-module.js';

/** A response as the TaskManager takes it: `TaskResponse { uint32 referenceTaskIndex; bytes result }`. */
export const taskResponseSchema = z
  .object({
    referenceTaskIndex: z.number().int().nonnegative().max(0xffff_ffff),
    result: z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed bytes'),
  })
  .strict();
export type ChainTaskResponse = z.infer<typeof taskResponseSchema>;

/** Solidity type of {@link ChainTaskResponse}: the digest is keccak256(abi.encode(response)). */
export const TASK_RESPONSE_ABI = 'tuple(uint32 referenceTaskIndex, bytes result)';

export const squaringPayloadSchema = z.object({
  kind: z.literal('square'),
  number: z.string().regex(/^\d{1,30}$/),
});
export const oraclePayloadSchema = z.object({
  kind: z.literal('price'),
  symbol: z.string().regex(/^[A-Z]{2,8}$/),
  round: z.number().int().nonnegative(),
});
/** One on-chain task's payload. */
export const payloadSchema = z.discriminatedUnion('kind', [squaringPayloadSchema, oraclePayloadSchema]);
export type TaskPayload = z.infer<typeof payloadSchema>;

/** A task request (T): the payloads of its on-chain tasks, in task order. */
export const requestSchema = z.object({ payloads: z.array(payloadSchema).min(1).max(64) }).strict();
export type TaskRequest = z.infer<typeof requestSchema>;

/** The hash stored on-chain with a task: keccak256 of the payload's canonical JSON. */
export function payloadHash(payload: TaskPayload): string {
  const canonical =
    payload.kind === 'square'
      ? JSON.stringify({ kind: payload.kind, number: payload.number })
      : JSON.stringify({ kind: payload.kind, symbol: payload.symbol, round: payload.round });
  return keccak256(toUtf8Bytes(canonical));
}

/** The payload hash of each task of a request, in task order (what the follower's on-chain check compares). */
export function payloadHashesOf(request: TaskRequest): string[] {
  return request.payloads.map(payloadHash);
}

/** A deterministic price every honest operator computes alike (the devnet has no real feed). */
export function examplePrice(symbol: string, round: number): bigint {
  let h = 0n;
  for (const c of symbol) h = (h * 131n + BigInt(c.charCodeAt(0))) % 1_000_000n;
  return 1_000n + ((h + BigInt(round) * 7919n) % 100_000n);
}

const coder = AbiCoder.defaultAbiCoder();

/** Computes the answer to one payload, ABI-encoded as the response's `result`. */
export function answer(payload: TaskPayload): string {
  if (payload.kind === 'square') {
    const n = BigInt(payload.number);
    return coder.encode(['uint256', 'uint256'], [n, n * n]);
  }
  return coder.encode(
    ['string', 'uint64', 'uint256'],
    [payload.symbol, payload.round, examplePrice(payload.symbol, payload.round)],
  );
}

/** Decodes a result for display: `9 → 81` or `ETH#3 = 12345`. */
export function describeResult(result: string): string {
  // Oracle first: a price result also decodes (wrongly) as two uint256 words.
  try {
    const [symbol, round, price] = coder.decode(['string', 'uint64', 'uint256'], result);
    return `${symbol}#${round} = ${price}`;
  } catch {
    try {
      const [n, sq] = coder.decode(['uint256', 'uint256'], result);
      return `${n} → ${sq}`;
    } catch {
      return result.slice(0, 18);
    }
  }
}

/** The built-in examples (squaring and oracle) as a task module, the same interface a team's own AVS implements. */
export const exampleTaskModule: AvsTaskModule<TaskPayload, string> = {
  requestSchema: payloadSchema,
  responseSchema: z.string().regex(/^0x([0-9a-fA-F]{2})*$/),
  onTaskRequest: (payload) => answer(payload),
  encodeResponse: (result) => result,
  payloadHash,
  digestOf: (response) => abiDigest(TASK_RESPONSE_ABI, response),
  describeResult,
};
