/**
 * Per-request integrity inside a session: an HMAC-SHA256 (WebCrypto, on every
 * runtime) over a canonical string of the request:
 *
 * ```
 * AVS-RAFT-HMAC-V1 \n METHOD \n path?query \n session id \n timestamp \n seq \n hex(sha256(body))
 * ```
 *
 * carried in four headers. The sequence number is per session and increasing;
 * the receiver keeps a replay window over it and rejects stale timestamps.
 */
import { bytesToHex, hexToBytes, utf8 } from './bytes.js';

/** Header names of a signed request. */
export const AUTH_HEADERS = {
  session: 'x-avs-session',
  timestamp: 'x-avs-timestamp',
  seq: 'x-avs-seq',
  signature: 'x-avs-signature',
} as const;

/** Version tag at the start of the canonical string. */
export const CANONICAL_PREFIX = 'AVS-RAFT-HMAC-V1';

const subtle = globalThis.crypto.subtle;

/** A WebCrypto HMAC key (the global `CryptoKey` type, named without depending on DOM or Node typings). */
export type HmacKey = Awaited<ReturnType<typeof subtle.importKey>>;
const EMPTY_SHA256 = '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Imports a 32-byte session key for HMAC-SHA256 signing and verification. */
export function importSessionKey(key: Uint8Array): Promise<HmacKey> {
  return subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
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

async function canonical(parts: SignedRequestParts): Promise<Uint8Array<ArrayBuffer>> {
  const bodyHash =
    parts.body.length === 0
      ? EMPTY_SHA256
      : bytesToHex(new Uint8Array(await subtle.digest('SHA-256', parts.body as Uint8Array<ArrayBuffer>)));
  return utf8(
    `${CANONICAL_PREFIX}\n${parts.method.toUpperCase()}\n${parts.path}\n${parts.sessionId}\n${parts.timestamp}\n${parts.seq}\n${bodyHash}`,
  ) as Uint8Array<ArrayBuffer>;
}

/** Computes the headers that authenticate a request. */
export async function signRequest(key: HmacKey, parts: SignedRequestParts): Promise<Record<string, string>> {
  const mac = new Uint8Array(await subtle.sign('HMAC', key, await canonical(parts)));
  return {
    [AUTH_HEADERS.session]: parts.sessionId,
    [AUTH_HEADERS.timestamp]: String(parts.timestamp),
    [AUTH_HEADERS.seq]: String(parts.seq),
    [AUTH_HEADERS.signature]: bytesToHex(mac),
  };
}

/** Checks a request's HMAC in constant time (WebCrypto verify). Never throws on a malformed signature. */
export async function verifyRequest(
  key: HmacKey,
  parts: SignedRequestParts,
  signature: string,
): Promise<boolean> {
  let mac: Uint8Array;
  try {
    mac = hexToBytes(signature);
  } catch {
    return false;
  }
  if (mac.length !== 32) return false;
  return subtle.verify('HMAC', key, mac as Uint8Array<ArrayBuffer>, await canonical(parts));
}
