/**
 * SHA-256 and HMAC-SHA256 for the per-request and per-frame MACs, synchronous
 * on every runtime: the runtime's native implementation when it has one, else
 * `@noble/hashes` (pure JS).
 *
 * Native means `node:crypto`'s `createHash`/`createHmac`, reached through
 * `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno 2, workerd with
 * `nodejs_compat`), never through a static `node:` import, so the package
 * still loads on runtimes without it. They run on the calling thread in C/C++
 * (OpenSSL, BoringSSL, Rust): about ten times faster than SHA-256 in
 * JavaScript on a large body, with none of WebCrypto's thread-pool hand-offs.
 * The transport benchmark measured hashing large stream frames in JS as the
 * biggest single cost of the authenticated path (29% of its CPU).
 *
 * Nothing runs at module load: the lookup happens on first use.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** The part of `node:crypto` used here. */
interface NativeCrypto {
  createHash(algorithm: 'sha256'): NativeDigest;
  createHmac(algorithm: 'sha256', key: Uint8Array): NativeDigest;
}
interface NativeDigest {
  update(data: Uint8Array): NativeDigest;
  digest(): Uint8Array;
}

let native: NativeCrypto | null | undefined;

/** The runtime's `node:crypto` when it has one with the needed functions; looked up once. */
function nativeCrypto(): NativeCrypto | null {
  if (native !== undefined) return native;
  native = null;
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const mod = proc?.getBuiltinModule?.('node:crypto') as Partial<NativeCrypto> | undefined;
    if (typeof mod?.createHash === 'function' && typeof mod.createHmac === 'function') {
      const candidate = mod as NativeCrypto;
      // A known answer: a polyfill that is present but wrong must not be used.
      const probe = candidate.createHmac('sha256', new Uint8Array(32)).update(new Uint8Array(1)).digest();
      const expected = hmac(nobleSha256, new Uint8Array(32), new Uint8Array(1));
      if (probe.length === 32 && probe.every((b, i) => b === expected[i])) native = candidate;
    }
  } catch {
    native = null;
  }
  return native;
}

/** Whether digests run natively on this runtime (for benchmarks and tests). */
export function hasNativeDigest(): boolean {
  return nativeCrypto() !== null;
}

/** SHA-256 of `data`. */
export function sha256(data: Uint8Array): Uint8Array {
  const n = nativeCrypto();
  return n ? plain(n.createHash('sha256').update(data).digest()) : nobleSha256(data);
}

/** HMAC-SHA256 under `key` of the concatenation of `parts` (no copy is made to join them). */
export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  const n = nativeCrypto();
  if (n) {
    const h = n.createHmac('sha256', key);
    for (const p of parts) h.update(p);
    return plain(h.digest());
  }
  const h = hmac.create(nobleSha256, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** A plain Uint8Array view of a native digest (Node returns a Buffer). */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Uses the pure-JS implementation from now on (`true`), or looks for a native one again (tests). */
export function forcePureJsDigest(pure: boolean): void {
  native = pure ? null : undefined;
}
