import type { Harness, OpenMode } from './harness.js';
import type { ConformanceCase, ConformanceOptions, StorageFactory } from './storage-factory.js';

/** The body of one case: gets a fresh location (cleaned up afterwards) and the suite options. */
export type CaseBody = (
  harness: Harness,
  options: ConformanceOptions,
  factory: StorageFactory,
) => Promise<void>;

/**
 * Registers one case as a vitest test. `mode: 'cold'` opens through
 * `openCold`; `timeoutMs` raises vitest's timeout for slow cases.
 */
export type CaseRegistrar = (
  name: ConformanceCase,
  body: CaseBody,
  config?: { mode?: OpenMode; timeoutMs?: number },
) => void;
