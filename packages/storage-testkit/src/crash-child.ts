/**
 * The process the crash cases kill. Usage:
 * `node [--import tsx] crash-child.(ts|js) <module> <location> <seed>`.
 * Opens the backend through `<module>`'s `openStorage(location)` and writes
 * random operations forever, reporting each on stdout ({@link CrashLine}).
 */
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { formatCrashLine } from './crash-protocol.js';
import { modelFromStorage } from './model-check.js';
import { randomOperation } from './random-operations.js';
import { SeededRandom } from './seeded-random.js';
import type { CrashChildModule } from './storage-factory.js';
import { StorageReader } from './storage-reader.js';

async function main(): Promise<void> {
  const [modulePath, location, seedText] = process.argv.slice(2);
  if (!modulePath || location === undefined || !seedText) {
    throw new Error('usage: crash-child <module> <location> <seed>');
  }
  const url = modulePath.startsWith('file:') ? modulePath : pathToFileURL(modulePath).href;
  const mod = (await import(url)) as Partial<CrashChildModule> & { default?: Partial<CrashChildModule> };
  const openStorage = mod.openStorage ?? mod.default?.openStorage;
  if (typeof openStorage !== 'function')
    throw new Error(`${modulePath} does not export openStorage(location)`);
  const storage = await openStorage(location);
  const initial = await storage.initialState();
  const model = await modelFromStorage(new StorageReader(storage), initial);
  const rng = new SeededRandom(Number(seedText));
  writeSync(
    1,
    formatCrashLine({ kind: 'ready', firstIndex: model.firstIndex(), lastIndex: model.lastIndex() }),
  );
  for (let seq = 0; ; seq++) {
    const operation = randomOperation(rng, model);
    writeSync(1, formatCrashLine({ kind: 'begin', seq, operation: operation.description }));
    await operation.apply(storage);
    operation.applyToModel(model);
    writeSync(1, formatCrashLine({ kind: 'ack', seq, lastIndex: model.lastIndex() }));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `crash child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(3);
});
