import { bundleForWorkerd, serveOnWorkerd } from '@avs/tooling-config/workerd';

/** edge-kv served by workerd (Miniflare 4) on 127.0.0.1 for a test. */
export interface EdgeKvInstance {
  readonly url: string;
  dispose(): Promise<void>;
}

/** Bundles src/worker.ts from source and serves it with three members (in-memory storage). */
export async function startEdgeKv(bindings: Record<string, string> = {}): Promise<EdgeKvInstance> {
  const { code } = await bundleForWorkerd(new URL('../src/worker.ts', import.meta.url));
  const { url, dispose } = await serveOnWorkerd(code, {
    durableObjects: { RAFT: 'RaftMember' },
    bindings: {
      MEMBERS: 'kv-1,kv-2,kv-3',
      CLUSTER_SECRET: 'edge-kv test secret, at least thirty-two bytes long',
      ADMIN_ROUTES: 'on',
      ...bindings,
    },
  });
  return { url, dispose };
}
