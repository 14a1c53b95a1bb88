/**
 * Serving on Bun with `Bun.serve`. Typed locally so the package needs no Bun typings.
 */
import type { FetchHandler, Served, ServeOptions } from './served.js';

export type { FetchHandler, Served, ServeEnv, ServeFn, ServeOptions } from './served.js';

/** Options of {@link serveBun}. */
export interface ServeBunOptions extends ServeOptions {
  /**
   * Seconds an idle connection stays open; default 0 (never). Bun's own default
   * (10 s) would cut quiet keep-alive connections between Raft peers.
   */
  readonly idleTimeout?: number;
}

interface BunServer {
  readonly port: number;
  requestIP?(request: Request): { address: string } | null;
  stop(closeActiveConnections?: boolean): Promise<void> | void;
}

interface BunGlobal {
  serve(options: {
    fetch: (request: Request, server: BunServer) => Response | Promise<Response>;
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
export async function serveBun(fetch: FetchHandler, options: ServeBunOptions = {}): Promise<Served> {
  const bun = (globalThis as { Bun?: BunGlobal }).Bun;
  if (!bun) throw new TypeError('serveBun needs the Bun runtime');
  const hostname = options.hostname ?? '127.0.0.1';
  const server = bun.serve({
    fetch: (request, srv) => fetch(request, { remoteAddress: srv.requestIP?.(request)?.address }),
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
