/**
 * Which backend computes: noble (pure JS, always there) until {@link initBls}
 * has loaded the WebAssembly one. Nothing happens at module load (no I/O, no
 * randomness: edge runtimes forbid both at the top level); the WebAssembly
 * module is compiled only when `initBls` is awaited.
 * @module
 */
import { BackendUnavailableError } from '../errors.js';
import { createMclBackend, type MclModule } from './mcl-backend.js';
import { nobleBackend } from './noble-backend.js';
import type { BlsBackend, BlsBackendName } from './types.js';

/** Options of {@link initBls}. */
export interface InitBlsOptions {
  /**
   * `'auto'` (default): WebAssembly if it loads, else noble. `'mcl-wasm'`: WebAssembly or an
   * error. `'noble'`: pure JS (e.g. to compare, or where WebAssembly compilation is forbidden).
   */
  backend?: 'auto' | BlsBackendName;
}

let active: BlsBackend = nobleBackend;
/** Bumped by every initBls call: a load that finishes after a later call does not override it. */
let generation = 0;
let mclLoading: Promise<BlsBackend> | undefined;

/** The backend every operation of the package uses now. */
export function activeBackend(): BlsBackend {
  return active;
}

/** Name of the backend in use (for status pages and benchmarks). */
export function blsBackendName(): BlsBackendName {
  return active.name;
}

function loadMcl(): Promise<BlsBackend> {
  if (mclLoading === undefined) {
    mclLoading = (async () => {
      const mod = (await import('mcl-wasm')) as MclModule & { default?: MclModule };
      return createMclBackend(mod.default ?? mod);
    })();
    // A failed load may be retried by a later call.
    mclLoading.catch(() => {
      mclLoading = undefined;
    });
  }
  return mclLoading;
}

/**
 * Chooses the arithmetic backend; await it once at start-up, before the hot
 * path. Until it resolves (or if it is never called) everything runs on noble,
 * so synchronous use without it is correct, only slower. Both backends give
 * identical results. Safe to call again (e.g. to switch back to noble).
 * @returns The name of the backend now in use.
 * @throws BackendUnavailableError if `backend: 'mcl-wasm'` was asked for and it does not load.
 * @example
 * const backend = await initBls(); // 'mcl-wasm' on Node, Bun, Deno; 'noble' where WebAssembly is refused
 */
export async function initBls(options: InitBlsOptions = {}): Promise<BlsBackendName> {
  const wanted = options.backend ?? 'auto';
  const mine = ++generation;
  if (wanted === 'noble') {
    active = nobleBackend;
    return active.name;
  }
  let loaded: BlsBackend;
  try {
    loaded = await loadMcl();
  } catch (cause) {
    if (wanted === 'mcl-wasm') {
      throw new BackendUnavailableError('the mcl-wasm backend did not load', { cause });
    }
    loaded = nobleBackend;
  }
  // The latest call decides: an earlier call whose load finishes later changes nothing.
  if (mine === generation) active = loaded;
  return active.name;
}
