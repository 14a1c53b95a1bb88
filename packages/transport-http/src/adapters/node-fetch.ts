/**
 * A pooled keep-alive `fetch` for Node.js, on undici's `Agent`. Node's global
 * fetch also keeps connections alive; this one lets you size the pool and
 * trust a private CA for HTTPS between operators.
 */
import { Agent, fetch as undiciFetch } from 'undici';
import type { FetchLike } from '../client/peer-connection.js';

/** Options of {@link createPooledFetch}. */
export interface PooledFetchOptions {
  /** Connections per origin; default 4 (one message stream, one snapshot stream, spare). */
  readonly connections?: number;
  /** Idle keep-alive time, ms; default 30 000. */
  readonly keepAliveTimeoutMs?: number;
  /** PEM CA certificate(s) to trust for HTTPS peers (e.g. the cluster's private CA). */
  readonly ca?: string | readonly string[];
}

/** A fetch with its pool; call `close()` when done. */
export interface PooledFetch {
  readonly fetch: FetchLike;
  close(): Promise<void>;
}

/** Creates a pooled fetch for {@link HttpTransportOptions.fetch}. */
export function createPooledFetch(options: PooledFetchOptions = {}): PooledFetch {
  const agent = new Agent({
    connections: options.connections ?? 4,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    ...(options.ca ? { connect: { ca: options.ca as string | string[] } } : {}),
  });
  return {
    fetch: (input, init) =>
      undiciFetch(input, {
        ...(init as unknown as Parameters<typeof undiciFetch>[1]),
        dispatcher: agent,
      }) as unknown as Promise<Response>,
    close: () => agent.close(),
  };
}
