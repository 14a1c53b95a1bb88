/**
 * Generated and mutated LevelDB records fed to the decoders that read them
 * back: each either decodes or throws StorageCorruptError; nothing else escapes.
 */
import { EntryType } from '@avs/raft-core';
import { StorageCorruptError } from '@avs/storage-kv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, decodeMeta, encodeEntry, encodeMeta, type LevelMeta } from './level-codec.js';

/** Cases per property: the CI budget, or AVS_FUZZ_CASES (the long reliability run sets 10 000). */
const fuzzCases = (ci: number): number => Number(process.env.AVS_FUZZ_CASES) || ci;

function decodesOrRefuses(f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (!(error instanceof StorageCorruptError)) throw error;
  }
}

const meta: LevelMeta = {
  version: 1,
  state: {
    lastIndex: 7,
    compacted: { index: 2, term: 1 },
    hardState: { term: 3, vote: 'n1', commit: 5 },
    confState: { voters: ['n1'], learners: [], votersOutgoing: [], learnersNext: [], autoLeave: false },
  },
  snapshotChunks: 1,
  snapshotBytes: 10,
} as unknown as LevelMeta;

describe('leveldb record codec under generated input', () => {
  it('round-trips entries', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ maxLength: 64 }),
        (index, term, data) => {
          const entry = { index, term, type: EntryType.Normal, data };
          expect(decodeEntry(index, encodeEntry(entry))).toEqual(entry);
        },
      ),
    );
  });

  it('entry values: any bytes decode or are refused with StorageCorruptError', () => {
    fc.assert(
      fc.property(fc.nat(), fc.uint8Array({ maxLength: 32 }), (index, bytes) => {
        decodesOrRefuses(() => decodeEntry(index, bytes));
      }),
      { numRuns: fuzzCases(1000) },
    );
  });

  it('meta records: random bytes, random JSON and mutated valid records are refused with StorageCorruptError', () => {
    const valid = JSON.parse(new TextDecoder().decode(encodeMeta(meta)));
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json({ maxDepth: 4 }).map((j) => encoder.encode(j)),
          fc
            .tuple(
              fc.constantFrom('version', 'state', 'snapshotChunks', 'snapshotBytes'),
              fc.anything({ maxDepth: 3 }),
            )
            .map(([k, v]) => encoder.encode(JSON.stringify({ ...valid, [k]: v }))),
          fc
            .tuple(
              fc.constantFrom('lastIndex', 'compacted', 'hardState', 'confState'),
              fc.anything({ maxDepth: 3 }),
            )
            .map(([k, v]) => encoder.encode(JSON.stringify({ ...valid, state: { ...valid.state, [k]: v } }))),
        ),
        (bytes) => decodesOrRefuses(() => decodeMeta(bytes)),
      ),
      { numRuns: fuzzCases(2000) },
    );
  });
});
