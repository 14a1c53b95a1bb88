/**
 * The devnet dashboard: one self-contained page (no CDN, no build step) fed
 * by server-sent events with a snapshot of the devnet every second.
 */
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
  readonly url: string;
  close(): Promise<void>;
}

/** The dashboard's Hono app (also used in tests without a socket). */
export function createDashboardApp(source: DashboardSource, intervalMs = 1_000): Hono {
  const app = new Hono();
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

/** Serves the dashboard on 127.0.0.1. */
export function serveDashboard(source: DashboardSource, port = 0): Promise<Dashboard> {
  const app = createDashboardApp(source);
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
