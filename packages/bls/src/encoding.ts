/**
 * Point encodings: Solidity structs (`BN254.G1Point`, `BN254.G2Point` with the
 * imaginary part first), JSON-safe decimal strings, and fixed-width bytes
 * (what the EVM precompiles take). Every decoder validates: coordinates must
 * be reduced (< p), the point on the curve and in the r-order subgroup, and
 * the point at infinity (encoded (0, 0)) is refused unless `allowInfinity`.
 * @module
 */
import { bn254 } from '@noble/curves/bn254.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';
import { activeBackend } from './backend/select.js';
import { FP_MODULUS, type G1Point, type G2Point, isG1Point, isG2Point } from './curve.js';
import { InvalidEncodingError, InvalidPointError } from './errors.js';

/** `BN254.G1Point` as Solidity sees it. Infinity is (0, 0). */
export interface G1Solidity {
  X: bigint;
  Y: bigint;
}

/** `BN254.G2Point` as Solidity sees it: `X = [x_im, x_re]`, `Y = [y_im, y_re]`. */
export interface G2Solidity {
  X: readonly [bigint, bigint];
  Y: readonly [bigint, bigint];
}

/** {@link G1Solidity} with decimal strings (JSON-safe): the same shape on purpose, one type per encoding. */
export interface G1Json {
  X: string;
  Y: string;
}

/** {@link G2Solidity} with decimal strings (JSON-safe), imaginary part first. */
export interface G2Json {
  X: readonly [string, string];
  Y: readonly [string, string];
}

/** Decoder options. */
export interface DecodeOptions {
  /** Accept (0, 0) as the point at infinity. Default false: EigenLayer refuses zero keys, and no valid signature is zero. */
  allowInfinity?: boolean;
}

const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;

function coordinate(value: unknown, what: string): bigint {
  let n: bigint;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'string' && DECIMAL.test(value)) n = BigInt(value);
  else
    throw new InvalidEncodingError(`${what}: expected a bigint or a decimal string, got ${describe(value)}`);
  if (n < 0n || n >= FP_MODULUS) {
    throw new InvalidPointError(`${what}: coordinate must be reduced (0 <= c < p), got ${n}`);
  }
  return n;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80));
  if (value === null) return 'null';
  return typeof value;
}

function pair(value: unknown, what: string): [unknown, unknown] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new InvalidEncodingError(`${what}: expected [imaginary, real], got ${describe(value)}`);
  }
  return [value[0], value[1]];
}

function record(value: unknown, what: string): { X: unknown; Y: unknown } {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidEncodingError(`${what}: expected an object { X, Y }, got ${describe(value)}`);
  }
  const v = value as { X?: unknown; Y?: unknown };
  return { X: v.X, Y: v.Y };
}

function validG1(x: bigint, y: bigint, options: DecodeOptions | undefined, what: string): G1Point {
  if (x === 0n && y === 0n) {
    if (options?.allowInfinity) return bn254.G1.Point.ZERO;
    throw new InvalidPointError(`${what}: the point at infinity (0, 0) is not accepted here`);
  }
  const p = bn254.G1.Point.fromAffine({ x, y });
  try {
    p.assertValidity();
  } catch (cause) {
    throw new InvalidPointError(`${what}: (${x}, ${y}) is not on the BN254 G1 curve`, { cause });
  }
  return p;
}

function validG2(
  xIm: bigint,
  xRe: bigint,
  yIm: bigint,
  yRe: bigint,
  options: DecodeOptions | undefined,
  what: string,
): G2Point {
  if (xIm === 0n && xRe === 0n && yIm === 0n && yRe === 0n) {
    if (options?.allowInfinity) return bn254.G2.Point.ZERO;
    throw new InvalidPointError(`${what}: the point at infinity is not accepted here`);
  }
  const p = bn254.G2.Point.fromAffine({ x: { c0: xRe, c1: xIm }, y: { c0: yRe, c1: yIm } });
  // The subgroup check is the cost of a G2 decode (about 5 ms on noble): the active backend does it.
  if (!activeBackend().g2IsValid(p)) {
    throw new InvalidPointError(`${what}: not a point of the BN254 G2 subgroup (on the twist, order r)`);
  }
  return p;
}

/**
 * Encodes a G1 point as Solidity's `BN254.G1Point` (infinity is (0, 0)).
 * @param point - A G1 point.
 * @returns `{ X, Y }` bigints.
 */
export function g1ToSolidity(point: G1Point): G1Solidity {
  if (point.is0()) return { X: 0n, Y: 0n };
  const a = point.toAffine();
  return { X: a.x, Y: a.y };
}

/**
 * Decodes and validates Solidity's `BN254.G1Point` (bigints or decimal strings).
 * @throws InvalidPointError / InvalidEncodingError for anything but a valid point.
 */
export function g1FromSolidity(value: G1Solidity | G1Json, options?: DecodeOptions): G1Point {
  const r = record(value, 'G1 point');
  return validG1(coordinate(r.X, 'G1 X'), coordinate(r.Y, 'G1 Y'), options, 'G1 point');
}

/**
 * Encodes a G2 point as Solidity's `BN254.G2Point`: `X = [x_im, x_re]`, `Y = [y_im, y_re]`.
 * @param point - A G2 point.
 */
export function g2ToSolidity(point: G2Point): G2Solidity {
  if (point.is0()) return { X: [0n, 0n], Y: [0n, 0n] };
  const a = point.toAffine();
  return { X: [a.x.c1, a.x.c0], Y: [a.y.c1, a.y.c0] };
}

/**
 * Decodes and validates Solidity's `BN254.G2Point` (imaginary part first; bigints or decimal strings).
 * Includes the G2 subgroup check (about 5 ms): decode a key once and keep the point.
 * @throws InvalidPointError / InvalidEncodingError for anything but a valid point.
 */
export function g2FromSolidity(value: G2Solidity | G2Json, options?: DecodeOptions): G2Point {
  const r = record(value, 'G2 point');
  const [xIm, xRe] = pair(r.X, 'G2 X');
  const [yIm, yRe] = pair(r.Y, 'G2 Y');
  return validG2(
    coordinate(xIm, 'G2 X[0] (imaginary)'),
    coordinate(xRe, 'G2 X[1] (real)'),
    coordinate(yIm, 'G2 Y[0] (imaginary)'),
    coordinate(yRe, 'G2 Y[1] (real)'),
    options,
    'G2 point',
  );
}

/** Encodes a G1 point as decimal strings (JSON-safe {@link G1Json}). */
export function g1ToJson(point: G1Point): G1Json {
  const s = g1ToSolidity(point);
  return { X: s.X.toString(), Y: s.Y.toString() };
}

/** Decodes and validates a {@link G1Json} (alias of {@link g1FromSolidity}, which accepts strings). */
export function g1FromJson(value: unknown, options?: DecodeOptions): G1Point {
  return g1FromSolidity(value as G1Json, options);
}

/** Encodes a G2 point as decimal strings (JSON-safe {@link G2Json}), imaginary part first. */
export function g2ToJson(point: G2Point): G2Json {
  const s = g2ToSolidity(point);
  return { X: [s.X[0].toString(), s.X[1].toString()], Y: [s.Y[0].toString(), s.Y[1].toString()] };
}

/** Decodes and validates a {@link G2Json} (alias of {@link g2FromSolidity}, which accepts strings). */
export function g2FromJson(value: unknown, options?: DecodeOptions): G2Point {
  return g2FromSolidity(value as G2Json, options);
}

/** 64 bytes: X ‖ Y, 32-byte big-endian each (the ecAdd/ecMul/ecPairing precompile layout). */
export function g1ToBytes(point: G1Point): Uint8Array {
  const s = g1ToSolidity(point);
  const out = new Uint8Array(64);
  out.set(numberToBytesBE(s.X, 32), 0);
  out.set(numberToBytesBE(s.Y, 32), 32);
  return out;
}

/**
 * Decodes 64 bytes X ‖ Y (big-endian) and validates the point.
 * @throws InvalidEncodingError if the length is not 64; InvalidPointError if the point is invalid.
 */
export function g1FromBytes(bytes: Uint8Array, options?: DecodeOptions): G1Point {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 64) {
    throw new InvalidEncodingError(`G1 point: expected 64 bytes (X ‖ Y), got ${lengthOf(bytes)}`);
  }
  return g1FromSolidity(
    { X: bytesToNumberBE(bytes.subarray(0, 32)), Y: bytesToNumberBE(bytes.subarray(32)) },
    options,
  );
}

/** 128 bytes: x_im ‖ x_re ‖ y_im ‖ y_re, 32-byte big-endian each (the ecPairing precompile layout). */
export function g2ToBytes(point: G2Point): Uint8Array {
  const s = g2ToSolidity(point);
  const out = new Uint8Array(128);
  for (const [i, v] of [s.X[0], s.X[1], s.Y[0], s.Y[1]].entries()) out.set(numberToBytesBE(v, 32), i * 32);
  return out;
}

/**
 * Decodes 128 bytes x_im ‖ x_re ‖ y_im ‖ y_re and validates the point.
 * @throws InvalidEncodingError if the length is not 128; InvalidPointError if the point is invalid.
 */
export function g2FromBytes(bytes: Uint8Array, options?: DecodeOptions): G2Point {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 128) {
    throw new InvalidEncodingError(
      `G2 point: expected 128 bytes (x_im ‖ x_re ‖ y_im ‖ y_re), got ${lengthOf(bytes)}`,
    );
  }
  const w = (i: number) => bytesToNumberBE(bytes.subarray(i * 32, i * 32 + 32));
  return g2FromSolidity({ X: [w(0), w(1)], Y: [w(2), w(3)] }, options);
}

function lengthOf(bytes: unknown): string {
  return bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes;
}

/**
 * Accepts a G1 point object (re-validated: cheap for G1) or any of its encodings.
 * @throws InvalidPointError / InvalidEncodingError.
 */
export function toG1Point(
  value: G1Point | G1Solidity | G1Json | Uint8Array,
  options?: DecodeOptions,
): G1Point {
  if (isG1Point(value)) {
    if (value.is0()) {
      if (options?.allowInfinity) return value;
      throw new InvalidPointError('G1 point: the point at infinity is not accepted here');
    }
    try {
      value.assertValidity();
    } catch (cause) {
      throw new InvalidPointError('G1 point: not on the BN254 G1 curve', { cause });
    }
    return value;
  }
  if (value instanceof Uint8Array) return g1FromBytes(value, options);
  return g1FromSolidity(value, options);
}

/**
 * Accepts a G2 point object (trusted: assumed validated when it was decoded) or any of its encodings (validated).
 * @throws InvalidPointError / InvalidEncodingError.
 */
export function toG2Point(
  value: G2Point | G2Solidity | G2Json | Uint8Array,
  options?: DecodeOptions,
): G2Point {
  if (isG2Point(value)) {
    if (value.is0() && !options?.allowInfinity) {
      throw new InvalidPointError('G2 point: the point at infinity is not accepted here');
    }
    return value;
  }
  if (value instanceof Uint8Array) return g2FromBytes(value, options);
  return g2FromSolidity(value, options);
}
