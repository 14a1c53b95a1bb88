/**
 * Per-request integrity inside a session: an HMAC-SHA256 (synchronous on every
 * runtime: native where the runtime has `node:crypto`, else @noble/hashes; see
 * `sha256-digest.ts`) over a canonical string of the request:
 *
 * ```
 * AVS-RAFT-HMAC-V1 \n METHOD \n path?query \n session id \n timestamp \n seq \n hex(sha256(body))
 * ```
 *
 * carried in four headers. The sequence number is per session and increasing;
 * the receiver keeps a replay window over it and rejects stale timestamps.
 */
import { TransportConfigError } from '../errors.js';
import { bytesToHex, hexToBytes, utf8 } from './bytes.js';
import { hasNativeDigest, hmacSha256, sha256 } from './sha256-digest.js';

/** Header names of a signed request. */
export const AUTH_HEADERS = {
  session: 'x-avs-session',
  timestamp: 'x-avs-timestamp',
  seq: 'x-avs-seq',
  signature: 'x-avs-signature',
} as const;

/** Version tag at the start of the canonical string. */
export const CANONICAL_PREFIX = 'AVS-RAFT-HMAC-V1';

/**
 * Without a native digest (see `sha256-digest.ts`), bodies up to this size are
 * hashed synchronously in JavaScript; larger ones (snapshot parts, big append
 * batches) by WebCrypto. With one, every body is hashed natively and synchronously. A WebCrypto call is a
 * job on the runtime's thread pool: for the small frames of steady Raft
 * traffic (heartbeats, single appends, acknowledgements) the hand-off to a
 * pool thread and back costs far more than hashing a few hundred bytes, and
 * on a loaded machine each hand-off waits for a CPU. Measured on a busy
 * 2-core machine: four such hand-offs per request (digest and HMAC on both
 * sides) made up most of a 10-30 ms request between kv processes.
 */
export const SYNC_DIGEST_MAX_BYTES = 64 * 1024;

/**
 * A session's HMAC-SHA256 key. The HMAC runs synchronously (the canonical
 * string is ~200 bytes); only the body hash of large bodies uses WebCrypto.
 */
export interface HmacKey {
  /** The 32 raw key bytes (kept private to the session). */
  readonly raw: Uint8Array;
}

const EMPTY_SHA256 = '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Wraps a 32-byte session key for HMAC-SHA256 signing and verification.
 * @throws TransportConfigError when `key` is not 32 bytes
 */
export async function importSessionKey(key: Uint8Array): Promise<HmacKey> {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new TransportConfigError(
      `expected a 32-byte session key, got ${key instanceof Uint8Array ? key.length : 'no'} bytes`,
    );
  }
  return { raw: Uint8Array.from(key) };
}

/** The parts of a request the signature covers. */
export interface SignedRequestParts {
  readonly method: string;
  /** Path plus query string, as sent (`/raft/v1/messages`). */
  readonly path: string;
  readonly sessionId: string;
  readonly timestamp: number;
  readonly seq: number;
  readonly body: Uint8Array;
}

/** `hex(sha256(body))`, synchronously when native or small (see {@link SYNC_DIGEST_MAX_BYTES}). */
function bodyHash(body: Uint8Array): string | Promise<string> {
  if (body.length === 0) return EMPTY_SHA256;
  if (body.length <= SYNC_DIGEST_MAX_BYTES || hasNativeDigest()) return bytesToHex(sha256(body));
  return globalThis.crypto.subtle
    .digest('SHA-256', body as Uint8Array<ArrayBuffer>)
    .then((d) => bytesToHex(new Uint8Array(d)));
}

function mac(key: HmacKey, parts: SignedRequestParts, hash: string): Uint8Array {
  const canonical = utf8(
    `${CANONICAL_PREFIX}\n${parts.method.toUpperCase()}\n${parts.path}\n${parts.sessionId}\n${parts.timestamp}\n${parts.seq}\n${hash}`,
  );
  return hmacSha256(key.raw, canonical);
}

/** Computes the headers that authenticate a request. */
export async function signRequest(key: HmacKey, parts: SignedRequestParts): Promise<Record<string, string>> {
  const hash = bodyHash(parts.body);
  const m = mac(key, parts, typeof hash === 'string' ? hash : await hash);
  return {
    [AUTH_HEADERS.session]: parts.sessionId,
    [AUTH_HEADERS.timestamp]: String(parts.timestamp),
    [AUTH_HEADERS.seq]: String(parts.seq),
    [AUTH_HEADERS.signature]: bytesToHex(m),
  };
}

/** Compares two byte strings in time that depends only on their length. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Checks a request's HMAC in constant time. Never throws on a malformed signature. */
export async function verifyRequest(
  key: HmacKey,
  parts: SignedRequestParts,
  signature: string,
): Promise<boolean> {
  let given: Uint8Array;
  try {
    given = hexToBytes(signature);
  } catch {
    return false;
  }
  if (given.length !== 32) return false;
  const hash = bodyHash(parts.body);
  return equalBytes(given, mac(key, parts, typeof hash === 'string' ? hash : await hash));
}
