// @ts-check
/**
 * `npm run dev`: edge-kv on this machine in workerd (Cloudflare's runtime,
 * through Miniflare; no account needed). Bundles src/worker.ts from source
 * with esbuild, serves it on http://127.0.0.1:8787 (PORT to change) with the
 * three members' storage kept under .edge-kv-state/ (delete it to start over),
 * and stops on Ctrl-C.
 */
import { bundleForWorkerd, serveOnWorkerd } from '@avs/tooling-config/workerd';

const here = new URL('..', import.meta.url);
const { code } = await bundleForWorkerd(new URL('src/worker.ts', here), { logLevel: 'warning' });
const { url, dispose } = await serveOnWorkerd(code, {
  durableObjects: { RAFT: 'RaftMember' },
  durableObjectsPersist: new URL('.edge-kv-state/', here).pathname,
  bindings: {
    MEMBERS: 'kv-1,kv-2,kv-3',
    // Local development only: in production this is a wrangler secret.
    CLUSTER_SECRET: process.env.CLUSTER_SECRET ?? 'edge-kv local development secret, not for production',
    ADMIN_ROUTES: 'on',
  },
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 8787),
});
console.log(`edge-kv in workerd on ${url}
  curl -X PUT --data world ${url}/kv/hello
  curl ${url}/kv/hello
  curl ${url}/admin/status
  curl -X POST '${url}/admin/reset?member=kv-1'
Ctrl-C stops it.`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void dispose().then(() => process.exit(0));
  });
}
