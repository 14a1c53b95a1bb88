import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { mountNodeApi, type ServiceStatus } from './node-api.js';

function appWith(statuses: Record<string, ServiceStatus | Error>) {
  const app = new Hono();
  mountNodeApi(app, {
    nodeName: 'my-avs',
    nodeVersion: '1.2.3',
    services: Object.entries(statuses).map(([id, status]) => ({
      id,
      name: `${id} service`,
      description: `what ${id} does`,
      status: () => {
        if (status instanceof Error) throw status;
        return status;
      },
    })),
  });
  return app;
}

describe('EigenLayer node API', () => {
  it('/eigen/node names the node, the spec version and the node version', async () => {
    const response = await appWith({ a: 'Up' }).request('/eigen/node');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      node_name: 'my-avs',
      spec_version: 'v0.0.1',
      node_version: '1.2.3',
    });
  });

  it('/eigen/node/health: 200 when every service is up, 206 when some are, 503 when none is', async () => {
    expect((await appWith({ a: 'Up', b: 'Up' }).request('/eigen/node/health')).status).toBe(200);
    expect((await appWith({ a: 'Up', b: 'Initializing' }).request('/eigen/node/health')).status).toBe(206);
    expect(
      (await appWith({ a: 'Down', b: new Error('rpc gone') }).request('/eigen/node/health')).status,
    ).toBe(503);
  });

  it('/eigen/node/services lists each service with its status; a throwing check counts as Down', async () => {
    const response = await appWith({ raft: 'Initializing', rpc: new Error('x') }).request(
      '/eigen/node/services',
    );
    expect(await response.json()).toEqual({
      services: [
        { id: 'raft', name: 'raft service', description: 'what raft does', status: 'Initializing' },
        { id: 'rpc', name: 'rpc service', description: 'what rpc does', status: 'Down' },
      ],
    });
  });

  it('/eigen/node/services/:id/health: 200 up, 503 not up, 404 unknown', async () => {
    const app = appWith({ a: 'Up', b: 'Down', c: 'Initializing' });
    expect((await app.request('/eigen/node/services/a/health')).status).toBe(200);
    expect((await app.request('/eigen/node/services/b/health')).status).toBe(503);
    expect((await app.request('/eigen/node/services/c/health')).status).toBe(503);
    expect((await app.request('/eigen/node/services/zz/health')).status).toBe(404);
  });
});
