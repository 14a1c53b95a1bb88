// @ts-check
/**
 * The one vitest configuration every package tests with. Resolves sibling
 * packages from source (the `@avs/source` export condition), so tests need no
 * build, and writes a JSON report that `tooling/scripts/bootstrap.mjs` sums into
 * the repository-wide `N passed, N failed` line.
 */
import { defineConfig } from 'vitest/config';

const conditions = ['@avs/source', 'node', 'import', 'default'];

/**
 * @param {{ testTimeout?: number, include?: string[], fileParallelism?: boolean, setupFiles?: string[] }} [options]
 */
export function testConfig(options = {}) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions } },
    test: {
      include: options.include ?? ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 120_000,
      hookTimeout: options.testTimeout ?? 120_000,
      fileParallelism: options.fileParallelism ?? true,
      // A package still being written has no tests yet; the repo-wide summary fails if none ran at all.
      passWithNoTests: true,
      // Two cores on CI: keep the worker count small and predictable.
      maxWorkers: 2,
      setupFiles: options.setupFiles ?? [],
      reporters: process.env.CI
        ? ['dot', ['json', { outputFile: '.vitest-report.json' }]]
        : ['default', ['json', { outputFile: '.vitest-report.json' }]],
    },
  });
}
