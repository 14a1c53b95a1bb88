import { bundleForWorkerd } from '@avs/tooling-config/workerd';

/** A bundled worker: its code and minified size. */
export interface WorkerBundle {
  readonly code: string;
  readonly bytes: number;
  /** Bytes of output per input package (or source file of this repo), largest first. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
}

/**
 * Bundles a worker entry as wrangler would for Cloudflare Workers (ESM,
 * `workerd`/`worker`/`browser` export conditions, minified), resolving this
 * repository's packages from source.
 */
export async function bundleWorker(entry: string | URL): Promise<WorkerBundle> {
  const result = await bundleForWorkerd(entry, { minify: true, metafile: true });
  const sizes = new Map<string, number>();
  for (const meta of Object.values(result.metafile?.outputs ?? {})) {
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(input)?.[1] ?? input;
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return {
    code: result.code,
    bytes: result.bytes,
    byPackage: [...sizes].sort((a, b) => b[1] - a[1]),
  };
}
