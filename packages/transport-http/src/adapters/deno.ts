/**
 * Serving on Deno with `Deno.serve`. Typed locally so the package needs no Deno typings.
 */

/** A running server. */
export interface ServedDeno {
  readonly url: string;
  readonly port: number;
  /** Stops the server (open connections are closed). Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link serveDeno}. */
export interface ServeDenoOptions {
  /** Default `127.0.0.1`. */
  readonly hostname?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** PEM key and certificate for HTTPS. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

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
    handler: (request: Request) => Response | Promise<Response>,
  ): DenoServer;
}

/**
 * Serves a fetch handler on Deno (needs `--allow-net`).
 * @throws TypeError when not running on Deno
 */
export async function serveDeno(
  fetch: (request: Request) => Response | Promise<Response>,
  options: ServeDenoOptions = {},
): Promise<ServedDeno> {
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
    (request) => fetch(request),
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
