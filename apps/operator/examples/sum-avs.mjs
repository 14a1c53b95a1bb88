// An example task module: your own AVS's logic, loaded by the operator from the path in its
// config (`"avs": { "kind": "module", "path": "./sum-avs.mjs" }`). Plain JavaScript, so it runs
// as written; the types are in @avs/operator's `AvsTaskModule`.
//
// The task: add up a list of integers. The task generator creates the task on-chain with the
// request's hash, then posts `{ "tasks": [{ "taskIndex": 7, "payload": { "numbers": ["1", "2"] } }] }`
// to the leader's POST /avs/v1/tasks. Each operator answers with the sum, the answers are signed
// with BLS, aggregated by the leader and submitted to the TaskManager.
import { AbiCoder, keccak256, toUtf8Bytes } from 'ethers';
import { z } from 'zod';

const coder = AbiCoder.defaultAbiCoder();

/** One task's request: decimal strings (JSON numbers lose precision past 2^53). */
export const requestSchema = z
  .object({
    numbers: z
      .array(z.string().regex(/^\d{1,30}$/))
      .min(1)
      .max(100),
  })
  .strict();

/** The answer before it is encoded for the chain. */
export const responseSchema = z.object({ sum: z.bigint() }).strict();

/** Every honest operator computes the same answer from the same request. */
export function onTaskRequest(request) {
  return { sum: request.numbers.reduce((total, n) => total + BigInt(n), 0n) };
}

/** The response's `result` bytes on-chain: abi.encode(uint256 sum), readable by a contract. */
export function encodeResponse(response) {
  return coder.encode(['uint256'], [response.sum]);
}

/** The hash stored on-chain with the task: over a canonical form, so key order cannot change it. */
export function payloadHash(request) {
  return keccak256(toUtf8Bytes(JSON.stringify({ numbers: request.numbers })));
}

/** What the devnet's task driver creates: the n-th request. */
export function exampleRequest(n) {
  return { numbers: [String(n), String(n * 2), String(n * 3)] };
}

/** How the devnet shows a result. */
export function describeResult(result) {
  return `sum ${coder.decode(['uint256'], result)[0]}`;
}
