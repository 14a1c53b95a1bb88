/**
 * Serving on Deno with `Deno.serve`. Typed locally so the package needs no Deno typings.
 */
import type { FetchHandler, Served, ServeOptions } from './served.js';

export type { FetchHandler, Served, ServeEnv, ServeFn, ServeOptions } from './served.js';

interface DenoServer {
  readonly addr: { readonly port: number };
  readonly finished: Promise<void>;
  shutdown(): Promise<void>;
}

interface DenoGlobal {
  serve(
    options: {
      hostname: string;
      port: number;
      onListen?: (addr: { port: number }) => void;
      key?: string;
      cert?: string;
    },
    handler: (request: Request, info: { remoteAddr?: { hostname?: string } }) => Response | Promise<Response>,
  ): DenoServer;
}

/**
 * Serves a fetch handler on Deno (needs `--allow-net`).
 * @throws TypeError when not running on Deno
 */
export async function serveDeno(fetch: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
  if (!deno) throw new TypeError('serveDeno needs the Deno runtime');
  const hostname = options.hostname ?? '127.0.0.1';
  const server = deno.serve(
    {
      hostname,
      port: options.port ?? 0,
      onListen: () => {},
      ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    },
    (request, info) => fetch(request, { remoteAddress: info?.remoteAddr?.hostname }),
  );
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${hostname}:${server.addr.port}`,
    port: server.addr.port,
    close: () => {
      closing ??= server.shutdown();
      return closing;
    },
  };
}
