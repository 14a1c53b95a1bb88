// @ts-check
/**
 * The one tsup configuration every package builds with: ESM, .d.ts files,
 * sourcemaps, no bundling of dependencies. A package's tsup.config.ts is
 * `export default library()` or `library({ entry: [...] })`.
 */
import { defineConfig } from 'tsup';

/**
 * @param {{ entry?: string[] | Record<string, string>, platform?: 'node' | 'neutral' | 'browser', banner?: string }} [options]
 */
export function library(options = {}) {
  return defineConfig({
    entry: options.entry ?? ['src/index.ts'],
    format: ['esm'],
    platform: options.platform ?? 'neutral',
    target: 'es2022',
    // Declarations are built against the dependencies' built .d.ts (not their sources): faster, and what users get.
    dts: { compilerOptions: { customConditions: [] } },
    sourcemap: true,
    clean: true,
    // Entry points share chunks, so a class (e.g. an error) has one identity across subpath exports.
    splitting: true,
    treeshake: true,
    ...(options.banner ? { banner: { js: options.banner } } : {}),
  });
}
