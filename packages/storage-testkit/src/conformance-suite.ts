import { describe, it, onTestFinished } from 'vitest';
import { registerCrashCase } from './crash-case.js';
import { Harness } from './harness.js';
import { registerLifecycleCases } from './lifecycle-cases.js';
import { registerLogCases } from './log-cases.js';
import { registerSnapshotCases } from './snapshot-cases.js';
import type { ConformanceOptions, StorageFactory } from './storage-factory.js';
import type { CaseRegistrar } from './suite-context.js';

/**
 * Registers the `Storage` conformance suite as vitest tests, inside a
 * `describe(name)`. Call it at the top level of a backend's test file.
 *
 * Every case gets a fresh location from `factory.createLocation()`, opens the
 * backend (and reopens it, to check persistence), compares what it reads with
 * a reference model, and closes everything afterwards. Cases that need
 * `openCold`, `openWithFaults` or `crash` are registered as skipped, with the
 * reason in their name, when the factory lacks them.
 *
 * @param name suite title, e.g. the package name.
 * @param factory how to create locations and open the backend.
 * @param options cases to skip, sizes, seed.
 * @example
 * import { describeStorageConformance, temporaryDirectories } from '@avs/storage-testkit';
 * describeStorageConformance('@avs/storage-file', {
 *   ...temporaryDirectories('storage-file-'),
 *   open: (dir) => FileStorage.open({ dir }),
 *   crash: { module: fileURLToPath(new URL('./crash-open.ts', import.meta.url)) },
 * });
 */
export function describeStorageConformance(
  name: string,
  factory: StorageFactory,
  options: ConformanceOptions = {},
): void {
  describe(name, () => {
    const register: CaseRegistrar = (caseName, body, config = {}) => {
      const skipReason = options.skip?.[caseName] ?? missingCapability(caseName, factory);
      if (skipReason !== undefined) {
        it.skip(`${caseName} (skipped: ${skipReason})`, () => {});
        return;
      }
      it(
        caseName,
        async () => {
          const harness = await Harness.create(factory, config.mode);
          onTestFinished(() => harness.cleanup());
          await body(harness, options, factory);
        },
        config.timeoutMs,
      );
    };
    registerLogCases(register);
    registerSnapshotCases(register);
    registerLifecycleCases(register);
    registerCrashCase(register);
  });
}

/** Why a case cannot run with this factory, if it cannot. */
function missingCapability(caseName: string, factory: StorageFactory): string | undefined {
  if (caseName === 'cold reads' && !factory.openCold) return 'the factory has no openCold';
  if (caseName === 'fatal write refuses later writes' && !factory.openWithFaults) {
    return 'the factory has no openWithFaults';
  }
  if (caseName === 'crash with SIGKILL' && !factory.crash) return 'the factory has no crash options';
  return undefined;
}
