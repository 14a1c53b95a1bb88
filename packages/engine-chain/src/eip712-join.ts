/**
 * The join request: an EIP-712 typed message an operator signs with its
 * ECDSA key to ask a cluster to admit it. It is bound to the chain, the
 * registry contract, the cluster, the operator, a recent block, an expiry and
 * a nonce, so it cannot be replayed elsewhere, later, or twice. The engine
 * owns the request's fields and schema and signs and checks it through its
 * `JoinAuthenticator` port; this is the EIP-712 implementation
 * ({@link eip712JoinAuthenticator}). The engine's join service also checks the
 * block's recency, the nonce and the on-chain registration.
 */

import { InvalidArgumentError } from '@avs/chain';
import { type JoinAnswer, type JoinRequest, joinRequestSchema, type SignedJoinRequest } from '@avs/engine';
import {
  getBytes,
  type TypedDataDomain,
  TypedDataEncoder,
  type TypedDataField,
  verifyTypedData,
  Wallet,
} from 'ethers';
import { z } from 'zod';

/** EIP-712 domain name of join requests. */
export const JOIN_DOMAIN_NAME = 'AvsTaskConsensusEngine';
/** EIP-712 domain version of join requests. */
export const JOIN_DOMAIN_VERSION = '1';

/** The EIP-712 type of a join request. */
export const JOIN_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  JoinRequest: [
    { name: 'clusterId', type: 'string' },
    { name: 'operator', type: 'address' },
    { name: 'operatorId', type: 'bytes32' },
    { name: 'httpUrl', type: 'string' },
    { name: 'raftUrl', type: 'string' },
    { name: 'block', type: 'uint64' },
    { name: 'expiresAtMs', type: 'uint64' },
    { name: 'nonce', type: 'bytes32' },
  ],
};

function domainOf(request: Pick<JoinRequest, 'chainId' | 'contract'>): TypedDataDomain {
  return {
    name: JOIN_DOMAIN_NAME,
    version: JOIN_DOMAIN_VERSION,
    chainId: request.chainId,
    verifyingContract: request.contract,
  };
}

function structOf(request: JoinRequest): Record<string, unknown> {
  const { chainId: _c, contract: _k, ...value } = request;
  return value;
}

/** The EIP-712 digest a join request's signature covers. */
export function joinRequestDigest(request: JoinRequest): `0x${string}` {
  return TypedDataEncoder.hash(domainOf(request), JOIN_REQUEST_TYPES, structOf(request)) as `0x${string}`;
}

/**
 * Signs a join request with the operator's ECDSA key.
 * @param privateKey 32-byte secp256k1 key (0x hex)
 * @throws InvalidArgumentError when the request is not well-formed or
 *   `operator` is not the key's address
 */
export async function signJoinRequest(request: JoinRequest, privateKey: string): Promise<SignedJoinRequest> {
  const parsed = joinRequestSchema.safeParse(request);
  if (!parsed.success)
    throw new InvalidArgumentError(`malformed join request: ${z.prettifyError(parsed.error)}`);
  const wallet = new Wallet(privateKey);
  if (wallet.address.toLowerCase() !== request.operator.toLowerCase()) {
    throw new InvalidArgumentError(`operator ${request.operator} is not the signing key's address`);
  }
  const signature = await wallet.signTypedData(domainOf(request), JOIN_REQUEST_TYPES, structOf(request));
  return { request: parsed.data, signature };
}

/**
 * The address that signed a join request, lowercase, or undefined when the
 * signature is malformed. Never throws on remote input.
 */
export function recoverJoinSigner(signed: SignedJoinRequest): string | undefined {
  try {
    getBytes(signed.signature);
    return verifyTypedData(
      domainOf(signed.request),
      JOIN_REQUEST_TYPES,
      structOf(signed.request),
      signed.signature,
    ).toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The EIP-712 type of a join answer: the answering member signs it, bound to
 * the request it answers (the joiner and the request's nonce) in the same domain.
 */
export const JOIN_ANSWER_TYPES: Record<string, TypedDataField[]> = {
  JoinAnswer: [
    { name: 'clusterId', type: 'string' },
    { name: 'joiner', type: 'address' },
    { name: 'requestNonce', type: 'bytes32' },
    { name: 'answeredBy', type: 'address' },
    { name: 'role', type: 'string' },
    { name: 'leaderId', type: 'string' },
    { name: 'members', type: 'JoinAnswerMember[]' },
  ],
  JoinAnswerMember: [
    { name: 'id', type: 'address' },
    { name: 'operatorId', type: 'bytes32' },
    { name: 'httpUrl', type: 'string' },
    { name: 'raftUrl', type: 'string' },
  ],
};

function answerStructOf(answer: JoinAnswer): Record<string, unknown> {
  const { chainId: _c, contract: _k, members, ...value } = answer;
  return {
    ...value,
    members: members.map((m) => ({
      id: m.id,
      operatorId: m.operatorId,
      httpUrl: m.httpUrl,
      raftUrl: m.raftUrl,
    })),
  };
}

/** The EIP-712 digest a join answer's signature covers. */
export function joinAnswerDigest(answer: JoinAnswer): `0x${string}` {
  return TypedDataEncoder.hash(domainOf(answer), JOIN_ANSWER_TYPES, answerStructOf(answer)) as `0x${string}`;
}

/**
 * Signs a join answer with the answering member's ECDSA key.
 * @throws InvalidArgumentError when `answeredBy` is not the key's address or the answer is malformed
 */
export async function signJoinAnswer(answer: JoinAnswer, privateKey: string): Promise<string> {
  const wallet = new Wallet(privateKey);
  if (wallet.address.toLowerCase() !== answer.answeredBy.toLowerCase()) {
    throw new InvalidArgumentError(`answeredBy ${answer.answeredBy} is not the signing key's address`);
  }
  try {
    return await wallet.signTypedData(domainOf(answer), JOIN_ANSWER_TYPES, answerStructOf(answer));
  } catch (cause) {
    throw new InvalidArgumentError('malformed join answer', { cause });
  }
}

/**
 * The address that signed a join answer, lowercase, or undefined when the
 * signature or the answer is malformed. Never throws on remote input.
 */
export function recoverJoinAnswerSigner(answer: JoinAnswer, signature: string): string | undefined {
  try {
    getBytes(signature);
    return verifyTypedData(
      domainOf(answer),
      JOIN_ANSWER_TYPES,
      answerStructOf(answer),
      signature,
    ).toLowerCase();
  } catch {
    return undefined;
  }
}

/** Signs and checks join requests and answers: the engine's `JoinAuthenticator` port, over EIP-712. */
export interface Eip712JoinAuthenticator {
  /** The key's address (checksummed). */
  readonly address: string;
  sign(request: JoinRequest): Promise<SignedJoinRequest>;
  recoverSigner(signed: SignedJoinRequest): string | undefined;
  signAnswer(answer: JoinAnswer): Promise<string>;
  recoverAnswerSigner(answer: JoinAnswer, signature: string): string | undefined;
}

/**
 * The engine's join signer for an operator's ECDSA key: `sign` is
 * {@link signJoinRequest}, `recoverSigner` is {@link recoverJoinSigner}, `signAnswer` is
 * {@link signJoinAnswer}, `recoverAnswerSigner` is {@link recoverJoinAnswerSigner}.
 * @param privateKey 32-byte secp256k1 key (0x hex)
 * @throws InvalidArgumentError for a malformed key
 */
export function eip712JoinAuthenticator(privateKey: string): Eip712JoinAuthenticator {
  let wallet: Wallet;
  try {
    wallet = new Wallet(privateKey);
  } catch (cause) {
    throw new InvalidArgumentError('expected a 32-byte secp256k1 private key in 0x hex', { cause });
  }
  return {
    address: wallet.address,
    sign: (request) => signJoinRequest(request, wallet.privateKey),
    recoverSigner: recoverJoinSigner,
    signAnswer: (answer) => signJoinAnswer(answer, wallet.privateKey),
    recoverAnswerSigner: recoverJoinAnswerSigner,
  };
}
