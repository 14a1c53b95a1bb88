// @ts-check
/**
 * A worker in workerd for tests and local runs, set up once: the esbuild
 * settings wrangler would use for Cloudflare Workers (ESM, the `workerd`,
 * `worker` and `browser` export conditions) resolving this repository's
 * packages from source, and Miniflare serving the bundle on 127.0.0.1.
 * esbuild and Miniflare are loaded on first use, so importing this file costs
 * nothing where they are not installed.
 */
import { fileURLToPath } from 'node:url';

/** The compatibility date every worker of this repository is served with. */
export const WORKERD_COMPATIBILITY_DATE = '2025-09-01';

/**
 * @param {string | URL} entry
 * @param {import('esbuild').BuildOptions} [options]
 */
export async function bundleForWorkerd(entry, options = {}) {
  const { build } = await import('esbuild');
  const path = typeof entry === 'string' ? entry : fileURLToPath(entry);
  const result = await build({
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['@avs/source', 'workerd', 'worker', 'browser', 'import'],
    mainFields: ['browser', 'module', 'main'],
    logLevel: 'silent',
    ...options,
    entryPoints: [path],
    write: false,
  });
  const output = result.outputFiles?.[0];
  if (!output) throw new Error(`esbuild produced no output for ${path}`);
  return { code: output.text, bytes: output.contents.byteLength, metafile: result.metafile };
}

/**
 * @param {string} script
 * @param {Record<string, unknown>} [options]
 */
export async function serveOnWorkerd(script, options = {}) {
  const { Miniflare } = await import('miniflare');
  const mf = new Miniflare(
    /** @type {import('miniflare').MiniflareOptions} */ ({
      modules: true,
      script,
      compatibilityDate: WORKERD_COMPATIBILITY_DATE,
      host: '127.0.0.1',
      port: 0,
      ...options,
    }),
  );
  const url = (await mf.ready).origin;
  return { miniflare: mf, url, dispose: () => mf.dispose() };
}
