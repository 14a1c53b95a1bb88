/**
 * The joiner's check of a join answer. The answer comes back over an
 * unauthenticated call: a malicious member used as join URL, or anyone on the
 * path, could otherwise plant identities that this node would accept Raft
 * traffic from until it applies a configuration. The answering member signs it
 * (bound to the request's nonce, see `JoinAnswer`); the joiner accepts it only
 * when the signer is a registered operator named in the answer's members.
 */
import { JoinRefusedError } from '../errors.js';
import type { JoinResult } from '../ports/wire.js';
import type { JoinAnswer, JoinAuthenticator, JoinRequest } from './join-request.js';

/** What {@link verifyJoinAnswer} needs. */
export interface JoinAnswerCheckDeps {
  readonly joinAuth: Pick<JoinAuthenticator, 'recoverAnswerSigner'>;
  /** Whether `address` is a registered operator on-chain (the callbacks' `isValidOperator`). */
  isRegisteredOperator(address: string): Promise<boolean>;
}

const refuse = (message: string, cause?: unknown) =>
  new JoinRefusedError('ANSWER_UNAUTHENTICATED', message, cause === undefined ? undefined : { cause });

/**
 * Checks that `result` answers `request`: signed by the member it names as
 * answering, that member is among the answer's members, and is a registered operator.
 * @throws JoinRefusedError `ANSWER_UNAUTHENTICATED` otherwise (or `UNAVAILABLE` when the registry cannot be read)
 */
export async function verifyJoinAnswer(
  d: JoinAnswerCheckDeps,
  request: JoinRequest,
  result: JoinResult,
): Promise<void> {
  const proof = result.proof;
  if (!proof) throw refuse('the join answer is not signed');
  const answeredBy = proof.answeredBy.toLowerCase();
  const answer: JoinAnswer = {
    chainId: request.chainId,
    contract: request.contract,
    clusterId: request.clusterId,
    joiner: request.operator.toLowerCase(),
    requestNonce: request.nonce.toLowerCase(),
    answeredBy,
    role: result.role,
    leaderId: result.leaderId,
    members: result.members,
  };
  const signer = d.joinAuth.recoverAnswerSigner(answer, proof.signature);
  if (signer === undefined || signer !== answeredBy) {
    throw refuse(
      'the join answer signature does not match this request and answer (forged, altered or replayed)',
    );
  }
  if (!result.members.some((m) => m.id.toLowerCase() === signer)) {
    throw refuse(`the join answer's signer ${signer} is not among the members it names`);
  }
  let registered: boolean;
  try {
    registered = await d.isRegisteredOperator(signer);
  } catch (cause) {
    throw new JoinRefusedError('UNAVAILABLE', 'the operator registry could not be read', { cause });
  }
  if (!registered) throw refuse(`the join answer's signer ${signer} is not a registered operator`);
}
