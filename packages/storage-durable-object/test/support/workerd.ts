import { bundleForWorkerd, serveOnWorkerd } from '@avs/tooling-config/workerd';

/** A running workerd (through Miniflare) serving the conformance worker on 127.0.0.1. */
export interface StorageWorker {
  readonly url: string;
  dispose(): Promise<void>;
}

/** Bundles `test/worker/storage-worker.ts` and serves it with one `StorageObject` namespace. */
export async function startStorageWorker(): Promise<StorageWorker> {
  const { code } = await bundleForWorkerd(new URL('../worker/storage-worker.ts', import.meta.url));
  const { url, dispose } = await serveOnWorkerd(code, { durableObjects: { OBJECTS: 'StorageObject' } });
  return { url, dispose };
}
