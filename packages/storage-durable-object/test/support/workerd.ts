import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

/** A running workerd (through Miniflare) serving the conformance worker on 127.0.0.1. */
export interface StorageWorker {
  readonly url: string;
  dispose(): Promise<void>;
}

/** Bundles `test/worker/storage-worker.ts` and serves it with one `StorageObject` namespace. */
export async function startStorageWorker(): Promise<StorageWorker> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('../worker/storage-worker.ts', import.meta.url))],
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
    durableObjects: { OBJECTS: 'StorageObject' },
    host: '127.0.0.1',
    port: 0,
  });
  const url = (await mf.ready).origin;
  return { url, dispose: () => mf.dispose() };
}
