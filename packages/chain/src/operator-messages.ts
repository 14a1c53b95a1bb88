import { getAddress, type Signer, type TypedDataDomain, verifyTypedData } from 'ethers';
import { z } from 'zod';
import { InvalidArgumentError, InvalidOperatorMessageError } from './errors.js';

/**
 * EIP-712 operator messages. The domain binds a message to one chain and one registry
 * (`verifyingContract`), and every message carries a nonce and an expiry, so a signature cannot be
 * replayed on another deployment or after it expires. Signed with the operator's ECDSA key (its
 * registered address).
 */

/** The EIP-712 domain: name "avs-raft", version "1", the chain and the OperatorRegistry address. */
export function operatorMessageDomain(chainId: bigint | number, registry: string): TypedDataDomain {
  return { name: 'avs-raft', version: '1', chainId, verifyingContract: getAddress(registry) };
}

/** Authenticates one transport peer to another (e.g. a header on each connection). */
export interface TransportAuth {
  operator: string;
  operatorId: string;
  /** Who the message is for: the receiving operator's address (prevents relaying it elsewhere). */
  audience: string;
  nonce: string;
  issuedAt: bigint;
  expiresAt: bigint;
}

/** EIP-712 type of {@link TransportAuth}. */
export const TRANSPORT_AUTH_TYPES = {
  TransportAuth: [
    { name: 'operator', type: 'address' },
    { name: 'operatorId', type: 'bytes32' },
    { name: 'audience', type: 'address' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'issuedAt', type: 'uint64' },
    { name: 'expiresAt', type: 'uint64' },
  ],
};

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'an address');
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, '0x + 64 hex digits');
const uint64 = z
  .union([z.bigint(), z.number().int(), z.string().regex(/^\d{1,20}$/)])
  .transform((v) => BigInt(v))
  .pipe(
    z
      .bigint()
      .min(0n)
      .max(2n ** 64n - 1n),
  );
const signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, '65-byte signature as 0x-hex');

/** zod schema of a signed transport authentication received from the network. */
export const signedTransportAuthSchema = z.object({
  message: z.object({
    operator: address,
    operatorId: bytes32,
    audience: address,
    nonce: bytes32,
    issuedAt: uint64,
    expiresAt: uint64,
  }),
  signature,
});

/** A message with its signature, JSON-safe when bigints are turned into strings. */
export interface Signed<T> {
  message: T;
  signature: string;
}

/** Options for verification. */
export interface VerifyOptions {
  /** Current time, unix seconds. */
  nowSeconds: bigint | number;
  /** Largest accepted `expiresAt - now`, seconds; default 600 (stops long-lived tokens). */
  maxTtlSeconds?: number;
}

async function sign<T extends { operator: string }>(
  signer: Signer,
  domain: TypedDataDomain,
  types: Record<string, { name: string; type: string }[]>,
  message: T,
): Promise<Signed<T>> {
  const from = await signer.getAddress();
  if (getAddress(message.operator) !== from) {
    throw new InvalidArgumentError(`message.operator ${message.operator} is not the signer ${from}`);
  }
  return { message, signature: await signer.signTypedData(domain, types, message) };
}

function verify<T extends { operator: string; expiresAt: bigint }>(
  domain: TypedDataDomain,
  types: Record<string, { name: string; type: string }[]>,
  message: T,
  sig: string,
  options: VerifyOptions,
): string {
  const now = BigInt(options.nowSeconds);
  const maxTtl = BigInt(options.maxTtlSeconds ?? 600);
  if (message.expiresAt <= now)
    throw new InvalidOperatorMessageError(`the message expired at ${message.expiresAt} (now ${now})`);
  if (message.expiresAt - now > maxTtl) {
    throw new InvalidOperatorMessageError(
      `the message expires in ${message.expiresAt - now} s, more than the allowed ${maxTtl} s`,
    );
  }
  let recovered: string;
  try {
    recovered = verifyTypedData(domain, types, message, sig);
  } catch (cause) {
    throw new InvalidOperatorMessageError('the signature cannot be recovered', { cause });
  }
  if (recovered !== getAddress(message.operator)) {
    throw new InvalidOperatorMessageError(
      `signed by ${recovered}, not by message.operator ${message.operator}`,
    );
  }
  return recovered;
}

/** Signs a transport authentication. @throws InvalidArgumentError if `message.operator` is not the signer. */
export function signTransportAuth(
  signer: Signer,
  domain: TypedDataDomain,
  message: TransportAuth,
): Promise<Signed<TransportAuth>> {
  return sign(signer, domain, TRANSPORT_AUTH_TYPES, message);
}

/**
 * Parses and verifies a signed transport authentication: shape, expiry window, signer, and that
 * `audience` is `expectedAudience` (the verifying operator's address).
 * @throws InvalidOperatorMessageError
 */
export function verifyTransportAuth(
  domain: TypedDataDomain,
  input: unknown,
  options: VerifyOptions & { expectedAudience: string },
): TransportAuth {
  const parsed = signedTransportAuthSchema.safeParse(input);
  if (!parsed.success)
    throw new InvalidOperatorMessageError(`malformed transport auth: ${parsed.error.message}`);
  const m = parsed.data.message;
  if (getAddress(m.audience) !== getAddress(options.expectedAudience)) {
    throw new InvalidOperatorMessageError(
      `the message is for ${m.audience}, not ${options.expectedAudience}`,
    );
  }
  if (m.issuedAt > BigInt(options.nowSeconds) + 60n)
    throw new InvalidOperatorMessageError('issuedAt is in the future');
  verify(domain, TRANSPORT_AUTH_TYPES, m, parsed.data.signature, options);
  return m;
}
