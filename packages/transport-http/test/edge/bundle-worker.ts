import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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
  const result = await build({
    entryPoints: [typeof entry === 'string' ? entry : fileURLToPath(entry)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['@avs/source', 'workerd', 'worker', 'browser', 'import'],
    mainFields: ['browser', 'module', 'main'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  const sizes = new Map<string, number>();
  for (const meta of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(input)?.[1] ?? input;
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return {
    code: output.text,
    bytes: output.contents.byteLength,
    byPackage: [...sizes].sort((a, b) => b[1] - a[1]),
  };
}
