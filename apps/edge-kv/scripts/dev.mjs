// @ts-check
/**
 * `npm run dev`: edge-kv on this machine in workerd (Cloudflare's runtime,
 * through Miniflare; no account needed). Bundles src/worker.ts from source
 * with esbuild, serves it on http://127.0.0.1:8787 (PORT to change) with the
 * three members' storage kept under .edge-kv-state/ (delete it to start over),
 * and stops on Ctrl-C.
 */
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const here = new URL('..', import.meta.url);
const bundle = await build({
  entryPoints: [new URL('src/worker.ts', here).pathname],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['@avs/source', 'workerd', 'worker', 'browser', 'import'],
  mainFields: ['browser', 'module', 'main'],
  write: false,
  logLevel: 'warning',
});
const mf = new Miniflare({
  modules: true,
  script: bundle.outputFiles[0]?.text ?? '',
  compatibilityDate: '2025-09-01',
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
const url = (await mf.ready).origin;
console.log(`edge-kv in workerd on ${url}
  curl -X PUT --data world ${url}/kv/hello
  curl ${url}/kv/hello
  curl ${url}/admin/status
  curl -X POST '${url}/admin/reset?member=kv-1'
Ctrl-C stops it.`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void mf.dispose().then(() => process.exit(0));
  });
}
