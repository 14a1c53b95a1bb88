// Crash child for group commit: keeps several saves in flight at once (so they coalesce), and
// prints `ack <index>` (synchronously) when the save ending at <index> resolves. Usage: <dir>
import { writeSync } from 'node:fs';
import { makeEntries, makeSnapshot } from '@avs/storage-testkit';
import { FileStorage } from '../src/index.js';
import { quietLogger } from './quiet-logger.js';

const storage = await FileStorage.open({
  dir: process.argv[2]!,
  segmentBytes: 16 * 1024,
  logger: quietLogger(),
});
await storage.initialState();
let next = storage.lastIndex() + 1;
const inFlight = new Set<Promise<void>>();
for (let round = 0; ; round++) {
  while (inFlight.size < 8) {
    const from = next;
    // Every 10th round one large save (~400 KiB), so kills also land while a batch is written in chunks.
    const to = from + (round % 10 === 9 ? 399 : round % 5);
    next = to + 1;
    const p: Promise<void> = storage
      .save({
        entries: makeEntries(from, to, 1, to - from > 100 ? 1000 : undefined),
        hardState: { term: 1, vote: 'n1', commit: from - 1 },
      })
      .then(() => {
        writeSync(1, `ack ${to}\n`);
        inFlight.delete(p);
      });
    inFlight.add(p);
  }
  await Promise.race(inFlight);
  // Now and then a local snapshot and a compaction, so kills also land there.
  if (round % 40 === 39) {
    await Promise.all(inFlight);
    const at = storage.lastIndex() - 10;
    await storage.createSnapshot(makeSnapshot(at, 1));
    await storage.compact(at - 5);
    writeSync(1, `compacted ${at - 5}\n`);
  }
}
