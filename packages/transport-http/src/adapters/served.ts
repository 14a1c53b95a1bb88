/** What every runtime adapter takes and returns, so code can be written once for all of them. */

/**
 * What an adapter tells the handler about the connection (Hono's `c.env`):
 * the peer's IP address, which per-source rate limits key on.
 */
export interface ServeEnv {
  readonly remoteAddress?: string | undefined;
}

/** A fetch handler: `server.fetch`, `app.fetch`. */
export type FetchHandler = (request: Request, env?: ServeEnv) => Response | Promise<Response>;

/** Options common to every adapter. */
export interface ServeOptions {
  /** Default `127.0.0.1`. */
  readonly hostname?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Serve HTTPS with this PEM key and certificate chain. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** A running server. */
export interface Served {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, closes open connections, resolves when stopped. Idempotent. */
  close(): Promise<void>;
}

/** An adapter's serve function (`serveNode`, `serveBun`, `serveDeno`). */
export type ServeFn = (fetch: FetchHandler, options?: ServeOptions) => Promise<Served>;
