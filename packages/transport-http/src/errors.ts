/**
 * Errors of `@avs/transport-http`. Every error this package throws or rejects
 * with extends {@link TransportError} and carries a stable string `code`; the
 * HTTP status of each server-side rejection is decided here, in one place.
 */

/** Base class of every error `@avs/transport-http` throws. `code` is stable; match on it. */
export class TransportError extends Error {
  override readonly name: string = 'TransportError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A binary frame could not be decoded (truncated, unknown version, bad field, trailing bytes, limits). */
export class CodecError extends TransportError {
  override readonly name = 'CodecError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_FRAME', message, options);
  }
}

/**
 * A request the server refuses, with the HTTP status it answers with. The
 * response body is `{ code, message }` (plus `details` for a few codes).
 */
export class HttpError extends TransportError {
  override readonly name: string = 'HttpError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 408 | 409 | 413 | 415 | 429 | 500 | 503,
    code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(code, message);
  }
}

/** Authentication failed (401) or the authenticated peer may not do this (403). */
export class AuthError extends HttpError {
  override readonly name = 'AuthError';
  constructor(status: 401 | 403, code: string, message: string) {
    super(status, code, message);
  }
}

/** The client could not complete a handshake with a peer (network failure, refusal or a bad answer). */
export class HandshakeError extends TransportError {
  override readonly name = 'HandshakeError';
  constructor(
    readonly peer: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('HANDSHAKE_FAILED', `handshake with ${peer} failed: ${message}`, options);
  }
}

/** A peer answered a request with an error status. `status` and the peer's `{ code }` are kept. */
export class PeerResponseError extends TransportError {
  override readonly name = 'PeerResponseError';
  constructor(
    readonly peer: string,
    readonly status: number,
    readonly peerCode: string,
    message: string,
    /** Other fields of the peer's JSON error (e.g. `expectedOffset` of `SNAPSHOT_OFFSET`). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super('PEER_REJECTED', `${peer} answered ${status} ${peerCode}: ${message}`);
  }
}

/** A configuration value is invalid (thrown by factories at construction time). */
export class TransportConfigError extends TransportError {
  override readonly name = 'TransportConfigError';
  constructor(message: string) {
    super('INVALID_CONFIG', message);
  }
}

/** A peer URL that is not allowed to be dialled (see `checkEndpoint`). */
export class EndpointError extends TransportError {
  override readonly name = 'EndpointError';
  constructor(message: string) {
    super('INVALID_ENDPOINT', message);
  }
}
