/**
 * The join request on the wire and the port that signs and checks it. An
 * operator asks a cluster to admit it with a request bound to the chain, the
 * registry contract, the cluster, the operator, a recent block, an expiry and
 * a nonce, signed with its operator key. How it is signed is not the engine's
 * business: `@avs/engine-chain` provides the EIP-712 implementation
 * (`eip712JoinAuthenticator`), tests may provide their own.
 */
import { z } from 'zod';
import type { MemberInfo } from '../tasks/task-command.js';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x address');
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected 32 bytes of 0x hex');
const uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** The signed fields of a join request. */
export const joinRequestSchema = z.object({
  chainId: z.number().int().positive(),
  contract: address,
  clusterId: z.string().min(1).max(128),
  operator: address,
  operatorId: bytes32,
  httpUrl: z.string().min(1).max(2048),
  raftUrl: z.string().min(1).max(2048),
  block: uint,
  expiresAtMs: uint,
  nonce: bytes32,
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;

/** A join request and its signature (65 bytes, 0x hex). */
export const signedJoinRequestSchema = z.object({
  request: joinRequestSchema,
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte 0x hex signature'),
});
export type SignedJoinRequest = z.infer<typeof signedJoinRequestSchema>;

/**
 * The signed fields of a join answer. The answering member signs them with its
 * operator key; the joiner rebuilds them from its own request (domain, cluster,
 * its address, the request's nonce) and the answer it received, so a signature
 * only verifies for the request it answers: an answer cannot be replayed to
 * another request or another joiner, nor altered on the way.
 */
export interface JoinAnswer {
  readonly chainId: number;
  readonly contract: string;
  readonly clusterId: string;
  /** The joining operator's address (the request's `operator`). */
  readonly joiner: string;
  /** The nonce of the join request this answers. */
  readonly requestNonce: string;
  /** The address of the member that answered (and signed). */
  readonly answeredBy: string;
  readonly role: 'learner' | 'voter';
  readonly leaderId: string;
  readonly members: readonly MemberInfo[];
}

/**
 * Signs this operator's join requests and recovers the signer of others'.
 * The engine's only use of the operator's ECDSA key goes through this port.
 */
export interface JoinAuthenticator {
  /** This operator's address (0x, any case): the engine's Raft node id, lowercased. */
  readonly address: string;
  /**
   * Signs a join request made by this operator.
   * @throws when the request is malformed or not this operator's
   */
  sign(request: JoinRequest): Promise<SignedJoinRequest>;
  /** The lowercase address that signed `signed`, or undefined when the signature is malformed. Never throws. */
  recoverSigner(signed: SignedJoinRequest): string | undefined;
  /**
   * Signs a join answer given by this operator (`answeredBy` is this operator's address).
   * @returns the 65-byte signature, 0x hex
   * @throws when `answeredBy` is not this operator's address
   */
  signAnswer(answer: JoinAnswer): Promise<string>;
  /** The lowercase address that signed `answer`, or undefined when the signature is malformed. Never throws. */
  recoverAnswerSigner(answer: JoinAnswer, signature: string): string | undefined;
}

/** 32 random bytes as 0x hex, from the platform's CSPRNG. */
export function randomNonce(): `0x${string}` {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
