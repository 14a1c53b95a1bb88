/**
 * Messages engines exchange (over HTTP or the in-memory network), validated
 * with zod on arrival. Limits keep one request small.
 */
import { z } from 'zod';
import { type MemberInfo, memberInfoSchema } from '../tasks/task-command.js';

/** Most responses in one signed submission. */
export const MAX_RESPONSES_PER_SUBMISSION = 256;

const decimal = z.string().regex(/^\d{1,80}$/, 'expected a decimal string');
/** A G1 point as `@avs/bls` JSON (decimal coordinates). */
export const g1JsonSchema = z.object({ X: decimal, Y: decimal });

/**
 * A signed task response on the wire, before K is checked with the
 * application's schema (the leader checks each item on its own).
 */
export const signedTaskResponseWireSchema = z
  .object({
    requestId: z.string().min(1).max(128),
    operatorId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a bytes32 hex operator id'),
    taskResponse: z.array(z.unknown()).min(1).max(MAX_RESPONSES_PER_SUBMISSION),
    blsSignature: z.array(z.unknown()).min(1).max(MAX_RESPONSES_PER_SUBMISSION),
  })
  .refine((s) => s.taskResponse.length === s.blsSignature.length, {
    message: 'taskResponse and blsSignature must have the same length',
  });
export type SignedTaskResponseWire = z.infer<typeof signedTaskResponseWireSchema>;

/** The leader's verdict on one item of a submission. */
export interface ResponseVerdict {
  /** Position in `taskResponse`. */
  readonly item: number;
  readonly taskIndex?: number;
  readonly accepted: boolean;
  /** Error code when refused (`RESPONSE_*`). */
  readonly code?: string;
  readonly message?: string;
}

/** The leader's answer to a submission: one verdict per item. */
export interface SubmitResponsesResult {
  /** The leader that judged it (lowercase address). */
  readonly leaderId: string;
  readonly term: number;
  readonly verdicts: readonly ResponseVerdict[];
}

export const submitResponsesResultSchema = z.object({
  leaderId: z.string(),
  term: z.number().int().nonnegative(),
  verdicts: z
    .array(
      z.object({
        item: z.number().int().nonnegative(),
        taskIndex: z.number().int().nonnegative().optional(),
        accepted: z.boolean(),
        code: z.string().optional(),
        message: z.string().optional(),
      }),
    )
    .max(MAX_RESPONSES_PER_SUBMISSION),
});

/** The answer to an accepted join: the joiner's role and the members to talk to. */
export interface JoinResult {
  readonly role: 'learner' | 'voter';
  readonly leaderId: string;
  readonly members: readonly MemberInfo[];
  /**
   * The answering member's signature over the answer bound to the request
   * (`JoinAnswer`): set on the answer to a joiner, absent between members
   * (a forwarded join travels over their authenticated session).
   */
  readonly proof?: JoinAnswerProof | undefined;
}

/** Who answered a join and its signature over the `JoinAnswer`. */
export interface JoinAnswerProof {
  readonly answeredBy: string;
  readonly signature: string;
}

export const joinResultSchema = z.object({
  role: z.enum(['learner', 'voter']),
  leaderId: z.string().max(128),
  members: z.array(memberInfoSchema).max(10_000),
  proof: z
    .object({
      answeredBy: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x address'),
      signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte 0x hex signature'),
    })
    .optional(),
});

/**
 * An operator's answer to a whole batch: every response in leaf order and one
 * signature over the batch digest (`@avs/bls/batch`), which the leader
 * recomputes from the responses.
 */
export const signedBatchResponseWireSchema = z.object({
  batchId: z.number().int().nonnegative(),
  operatorId: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a bytes32 hex operator id'),
  taskResponse: z.array(z.unknown()).min(1).max(MAX_RESPONSES_PER_SUBMISSION),
  blsSignature: g1JsonSchema,
});
export type SignedBatchResponseWire = z.infer<typeof signedBatchResponseWireSchema>;
