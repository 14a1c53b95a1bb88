/**
 * Errors of `@avs/bls`. Every error thrown or rejected by this package is a
 * {@link BlsError}; `code` is stable, match on it rather than on the message.
 */

/** Base class of every error `@avs/bls` throws. */
export class BlsError extends Error {
  override readonly name: string = 'BlsError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A point is malformed: not on the curve, not in the subgroup, an unreduced coordinate, or infinity where infinity is not allowed. */
export class InvalidPointError extends BlsError {
  override readonly name = 'InvalidPointError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_POINT', message, options);
  }
}

/** A scalar (secret key) is malformed or out of range (must be in [1, r-1]). */
export class InvalidScalarError extends BlsError {
  override readonly name = 'InvalidScalarError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_SCALAR', message, options);
  }
}

/** Bytes, hex or decimal input has the wrong shape or length (e.g. a digest that is not 32 bytes). */
export class InvalidEncodingError extends BlsError {
  override readonly name = 'InvalidEncodingError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ENCODING', message, options);
  }
}

/** A key file is not a valid eigensdk BLS keystore (bad JSON, missing fields, unsupported cipher or KDF). */
export class KeystoreFormatError extends BlsError {
  override readonly name = 'KeystoreFormatError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEYSTORE_FORMAT', message, options);
  }
}

/** The keystore MAC did not match: the password is wrong (or the file was altered). */
export class KeystorePasswordError extends BlsError {
  override readonly name = 'KeystorePasswordError';
  constructor() {
    super(
      'KEYSTORE_WRONG_PASSWORD',
      'could not decrypt the keystore: wrong password or corrupted file (MAC mismatch)',
    );
  }
}

/** The WebAssembly backend was asked for but cannot run here (WebAssembly refused, or mcl initialised for another curve). */
export class BackendUnavailableError extends BlsError {
  override readonly name = 'BackendUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('BACKEND_UNAVAILABLE', message, options);
  }
}
