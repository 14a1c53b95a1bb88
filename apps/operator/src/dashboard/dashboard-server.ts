/**
 * The devnet dashboard: one self-contained page (no CDN, no build step) fed
 * by server-sent events with a snapshot of the devnet every second.
 *
 * Any web page the user visits can send requests to 127.0.0.1, and a DNS
 * rebinding page can even read the answers. So every request must name the
 * dashboard itself in `Host` (a rebound name does not), and the one action
 * route also needs the random token printed at start (the page reads it from
 * the URL fragment, which never leaves the browser) and an `Origin` equal to
 * the dashboard's own.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';
import type { DevnetSnapshot } from '../devnet/devnet-state.js';
import { dashboardPage } from './dashboard-page.js';

/** What the dashboard reads and the one action it offers. */
export interface DashboardSource {
  snapshot(): DevnetSnapshot;
  killLeader(): string | undefined;
}

/** A running dashboard. */
export interface Dashboard {
  /** The page's URL with the token in its fragment. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The action token. */
  readonly token: string;
  close(): Promise<void>;
}

/** Who may use the dashboard. */
export interface DashboardGuard {
  /** Required in `x-dashboard-token` on action routes. */
  readonly token: string;
  /** The `host:port` values the dashboard answers to (its own); the allowed Origins are `http://` + these. */
  readonly hosts: () => readonly string[];
}

/** Header that carries the dashboard token. */
export const DASHBOARD_TOKEN_HEADER = 'x-dashboard-token';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function refuse(status: 401 | 403, code: string, message: string): HTTPException {
  return new HTTPException(status, {
    res: new Response(JSON.stringify({ code, message }), {
      status,
      headers: { 'content-type': 'application/json' },
    }),
  });
}

/** The dashboard's Hono app (also used in tests without a socket). */
export function createDashboardApp(source: DashboardSource, guard: DashboardGuard, intervalMs = 1_000): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (!guard.hosts().includes(host)) {
      throw refuse(403, 'BAD_HOST', `this dashboard answers only to ${guard.hosts().join(', ')}`);
    }
    await next();
  });
  app.use('/api/chaos/*', async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || !guard.hosts().some((h) => origin === `http://${h}`)) {
      throw refuse(403, 'BAD_ORIGIN', 'actions are accepted only from the dashboard page itself');
    }
    if (!sameSecret(c.req.header(DASHBOARD_TOKEN_HEADER) ?? '', guard.token)) {
      throw refuse(401, 'BAD_TOKEN', `actions need the token printed at start in ${DASHBOARD_TOKEN_HEADER}`);
    }
    await next();
  });
  app.notFound((c) => c.json({ code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) =>
    error instanceof HTTPException
      ? error.getResponse()
      : c.json({ code: 'INTERNAL', message: error.message }, 500),
  );
  app.get('/', (c) => c.html(dashboardPage()));
  app.get('/api/state', (c) => c.json(source.snapshot()));
  app.post('/api/chaos/kill-leader', (c) => {
    const killed = source.killLeader();
    return killed
      ? c.json({ killed })
      : c.json({ code: 'NO_LEADER', message: 'no running leader to kill' }, 409);
  });
  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      while (open) {
        await stream.writeSSE({ event: 'state', data: JSON.stringify(source.snapshot()) });
        await stream.sleep(intervalMs);
      }
    }),
  );
  return app;
}

/**
 * Serves the dashboard on 127.0.0.1 with a new random token.
 * @returns its URL, `http://127.0.0.1:<port>/#token=<token>` (print it: that is how the user gets the token)
 */
export function serveDashboard(source: DashboardSource, port = 0): Promise<Dashboard> {
  const token = randomBytes(24).toString('hex');
  let hosts: string[] = [];
  const app = createDashboardApp(source, { token, hosts: () => hosts });
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => {
      hosts = [`127.0.0.1:${info.port}`, `localhost:${info.port}`];
      resolve({
        url: `http://127.0.0.1:${info.port}/#token=${token}`,
        origin: `http://127.0.0.1:${info.port}`,
        token,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
