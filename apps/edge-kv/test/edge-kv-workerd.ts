import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

/** edge-kv served by workerd (Miniflare 4) on 127.0.0.1 for a test. */
export interface EdgeKvInstance {
  readonly url: string;
  dispose(): Promise<void>;
}

/** Bundles src/worker.ts from source and serves it with three members (in-memory storage). */
export async function startEdgeKv(bindings: Record<string, string> = {}): Promise<EdgeKvInstance> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('../src/worker.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['@avs/source', 'workerd', 'worker', 'browser', 'import'],
    mainFields: ['browser', 'module', 'main'],
    write: false,
    logLevel: 'silent',
  });
  const mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]?.text ?? '',
    compatibilityDate: '2025-09-01',
    durableObjects: { RAFT: 'RaftMember' },
    bindings: {
      MEMBERS: 'kv-1,kv-2,kv-3',
      CLUSTER_SECRET: 'edge-kv test secret, at least thirty-two bytes long',
      ADMIN_ROUTES: 'on',
      ...bindings,
    },
    host: '127.0.0.1',
    port: 0,
  });
  const url = (await mf.ready).origin;
  return { url, dispose: () => mf.dispose() };
}
