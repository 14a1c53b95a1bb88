import type { Options } from 'tsup';
export interface LibraryOptions {
  /** Entry points; default `['src/index.ts']`. */
  entry?: string[] | Record<string, string>;
  /** `neutral` (default) for runtime-agnostic packages, `node` for Node-only ones. */
  platform?: 'node' | 'neutral' | 'browser';
  /** A line put on top of each output file (e.g. a shebang). */
  banner?: string;
}
export declare function library(options?: LibraryOptions): Options | Options[];
