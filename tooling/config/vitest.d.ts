import type { UserConfig } from 'vitest/config';
export interface TestOptions {
  /** Per-test and per-hook timeout in ms; default 120 000 (a safety net, not a timing assertion). */
  testTimeout?: number;
  include?: string[];
  /** Run test files in parallel (default true); turn off for files that share a port range or a chain. */
  fileParallelism?: boolean;
  setupFiles?: string[];
}
export declare function testConfig(options?: TestOptions): UserConfig;
