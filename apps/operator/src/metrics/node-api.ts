/**
 * EigenLayer's AVS node API (`/eigen/node`, `/eigen/node/health`,
 * `/eigen/node/services`, `/eigen/node/services/:id/health`) and the
 * Prometheus `/metrics` route, mounted on the operator's Hono app.
 *
 * Health per the spec: 200 healthy, 206 partially healthy, 503 unhealthy.
 * A service's health: 200 up, 503 down or initializing, 404 unknown id.
 */
import type { Env, Hono, MiddlewareHandler } from 'hono';
import type { OperatorMetrics } from './operator-metrics.js';

/** Version of the node API specification these routes follow. */
export const NODE_API_SPEC_VERSION = 'v0.0.1';

/** Status of a backing service, as the spec spells it. */
export type ServiceStatus = 'Up' | 'Down' | 'Initializing';

/** A service the node depends on. */
export interface NodeService {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly status: () => ServiceStatus | Promise<ServiceStatus>;
}

/** What the node API reports. */
export interface NodeApiOptions {
  readonly nodeName: string;
  readonly nodeVersion: string;
  readonly services: readonly NodeService[];
  readonly metrics?: OperatorMetrics;
  /** Runs before `/metrics` (e.g. the operator's session-or-token check); default none. */
  readonly metricsAuth?: MiddlewareHandler;
}

/** Adds the node API (and `/metrics` when given metrics) to `app`. */
export function mountNodeApi<E extends Env>(app: Hono<E>, options: NodeApiOptions): void {
  const statuses = () =>
    Promise.all(
      options.services.map(async (s) => {
        let status: ServiceStatus;
        try {
          status = await s.status();
        } catch {
          status = 'Down';
        }
        return { id: s.id, name: s.name, description: s.description, status };
      }),
    );
  app.get('/eigen/node', (c) =>
    c.json({
      node_name: options.nodeName,
      spec_version: NODE_API_SPEC_VERSION,
      node_version: options.nodeVersion,
    }),
  );
  app.get('/eigen/node/health', async (c) => {
    const all = await statuses();
    const up = all.filter((s) => s.status === 'Up').length;
    const code = up === all.length ? 200 : up === 0 ? 503 : 206;
    return c.body(null, code);
  });
  app.get('/eigen/node/services', async (c) => c.json({ services: await statuses() }));
  app.get('/eigen/node/services/:id/health', async (c) => {
    const service = (await statuses()).find((s) => s.id === c.req.param('id'));
    if (!service) return c.body(null, 404);
    return c.body(null, service.status === 'Up' ? 200 : 503);
  });
  const metrics = options.metrics;
  if (metrics) {
    const handler = async (c: Parameters<MiddlewareHandler>[0]) =>
      c.body(await metrics.text(), 200, { 'content-type': metrics.registry.contentType });
    if (options.metricsAuth) app.get('/metrics', options.metricsAuth, handler);
    else app.get('/metrics', handler);
  }
}
