import type { BuildOptions, Metafile } from 'esbuild';
import type { Miniflare } from 'miniflare';

/** The compatibility date every worker of this repository is served with. */
export declare const WORKERD_COMPATIBILITY_DATE: string;

/** A bundled worker. */
export interface WorkerdBundle {
  readonly code: string;
  /** Size of the output in bytes. */
  readonly bytes: number;
  /** Present when `metafile: true` was asked for. */
  readonly metafile: Metafile | undefined;
}

/**
 * Bundles a worker entry as wrangler would for Cloudflare Workers, resolving
 * this repository's packages from source. `options` override the defaults
 * (e.g. `minify`, `metafile`, `logLevel`).
 */
export declare function bundleForWorkerd(entry: string | URL, options?: BuildOptions): Promise<WorkerdBundle>;

/** A bundle served by workerd through Miniflare. */
export interface WorkerdInstance {
  readonly miniflare: Miniflare;
  /** The origin it serves on (127.0.0.1 and a free port unless overridden). */
  readonly url: string;
  dispose(): Promise<void>;
}

/**
 * Serves an ES-module worker script in workerd. `options` are Miniflare's
 * (bindings, durableObjects, persistence, host, port, ...).
 */
export declare function serveOnWorkerd(
  script: string,
  options?: Record<string, unknown>,
): Promise<WorkerdInstance>;
