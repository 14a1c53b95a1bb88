/**
 * Serving on Bun with `Bun.serve`. Typed locally so the package needs no Bun typings.
 */

/** A running server. */
export interface ServedBun {
  readonly url: string;
  readonly port: number;
  /** Stops the server and closes open connections. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link serveBun}. */
export interface ServeBunOptions {
  /** Default `127.0.0.1`. */
  readonly hostname?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** PEM key and certificate for HTTPS. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /**
   * Seconds an idle connection stays open; default 0 (never). Bun's own default
   * (10 s) would cut quiet keep-alive connections between Raft peers.
   */
  readonly idleTimeout?: number;
}

interface BunServer {
  readonly port: number;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunGlobal {
  serve(options: {
    fetch: (request: Request) => Response | Promise<Response>;
    hostname: string;
    port: number;
    idleTimeout: number;
    tls?: { key: string; cert: string };
  }): BunServer;
}

/**
 * Serves a fetch handler on Bun.
 * @throws TypeError when not running on Bun
 */
export async function serveBun(
  fetch: (request: Request) => Response | Promise<Response>,
  options: ServeBunOptions = {},
): Promise<ServedBun> {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!bun) throw new TypeError('serveBun needs the Bun runtime');
  const hostname = options.hostname ?? '127.0.0.1';
  const server = bun.serve({
    fetch,
    hostname,
    port: options.port ?? 0,
    idleTimeout: options.idleTimeout ?? 0,
    ...(options.tls ? { tls: { key: options.tls.key, cert: options.tls.cert } } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${hostname}:${server.port}`,
    port: server.port,
    close: () => {
      closing ??= Promise.resolve(server.stop(true));
      return closing;
    },
  };
}
