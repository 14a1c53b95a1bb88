/**
 * Serving on Node.js with `@hono/node-server` (HTTP or HTTPS). The only file
 * with Node-specific serving code; see `node-fetch.ts` for the client side.
 */

import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server';
import type { FetchHandler, Served, ServeEnv, ServeOptions } from './served.js';

/**
 * Serves a fetch handler (e.g. `server.fetch` or `app.fetch`) on Node.
 * @returns once listening, with the URL and a close function
 */
export function serveNode(fetch: FetchHandler, options: ServeOptions = {}): Promise<Served> {
  const hostname = options.hostname ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    // @hono/node-server passes `{ incoming, outgoing }`; keep them and add the remote address.
    const withSource = (request: Request, env: HttpBindings | Http2Bindings) =>
      fetch(request, { ...env, remoteAddress: env.incoming.socket.remoteAddress } as ServeEnv);
    const base = { fetch: withSource, hostname, port: options.port ?? 0 };
    const server = serve(
      options.tls
        ? {
            ...base,
            createServer: createHttpsServer,
            serverOptions: { key: options.tls.key, cert: options.tls.cert },
          }
        : base,
      (info: AddressInfo) => {
        const scheme = options.tls ? 'https' : 'http';
        let closing: Promise<void> | undefined;
        resolve({
          url: `${scheme}://${hostname}:${info.port}`,
          port: info.port,
          close: () => {
            closing ??= new Promise<void>((done) => {
              server.close(() => done());
              // Keep-alive connections would hold close() open until they time out.
              if ('closeAllConnections' in server) server.closeAllConnections();
            });
            return closing;
          },
        });
      },
    );
    server.once('error', reject);
  });
}
