/**
 * Generated and mutated stored items fed to the decoders that read them back
 * (the head item, entry items): each either decodes to what was written or
 * throws StorageCorruptError; nothing else escapes, nothing allocates what
 * the item merely claims.
 */
import { EntryType } from '@avs/raft-core';
import { StorageCorruptError } from '@avs/storage-kv';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryAssembler, entryItems } from './entry-items.js';
import { decodeHead, emptyHead, encodeHead } from './head-item.js';

/** Cases per property: the CI budget, or AVS_FUZZ_CASES (the long reliability run sets 10 000). */
const fuzzCases = (ci: number): number => Number(process.env.AVS_FUZZ_CASES) || ci;

type Item = Record<string, AttributeValue>;
const PK = 'c#n';

/** Calls `f`; a StorageCorruptError counts as a refusal, anything else fails the property. */
function decodesOrRefuses<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (error) {
    if (error instanceof StorageCorruptError) return undefined;
    throw error;
  }
}

const numberText = fc.oneof(
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom('', '-1', '1e400', String(2 ** 53), String(2 ** 40), 'NaN', '0x10', ' 7'),
);
const attribute: fc.Arbitrary<AttributeValue> = fc.oneof(
  numberText.map((N) => ({ N })),
  fc.string({ maxLength: 40 }).map((S) => ({ S })),
  fc.uint8Array({ maxLength: 40 }).map((B) => ({ B })),
  fc.constant({ NULL: true }),
);

describe('dynamodb head item decoder under generated input', () => {
  it('decodes what encodeHead wrote', () => {
    const head = emptyHead(3);
    expect(decodeHead(PK, encodeHead(PK, head))).toEqual(head);
  });

  it('refuses anything else with StorageCorruptError only', () => {
    const valid = encodeHead(PK, emptyHead(1));
    const docArb = fc.oneof(
      fc.json({ maxDepth: 4 }),
      fc.string({ maxLength: 100 }),
      // A valid document with one field replaced by anything.
      fc
        .tuple(
          fc.constantFrom('state', 'segments', 'snapshot', 'snapshotSequence'),
          fc.anything({ maxDepth: 3 }),
        )
        .map(([k, v]) => JSON.stringify({ ...JSON.parse(valid.doc!.S!), [k]: v })),
    );
    fc.assert(
      fc.property(
        fc.record(
          { epoch: attribute, doc: docArb.map((S) => ({ S }) as AttributeValue) },
          { requiredKeys: [] },
        ),
        (item) => {
          decodesOrRefuses(() => decodeHead(PK, item as Item));
        },
      ),
      { numRuns: fuzzCases(2000) },
    );
  });
});

describe('dynamodb entry items under generated input', () => {
  const segments = [{ from: 1, epoch: 1 }];

  it('reassembles an entry written in several parts, in either order', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (data, partBytes, reverse) => {
          const entry = { index: 5, term: 2, type: EntryType.Normal, data };
          const items = entryItems(PK, entry, 1, partBytes);
          const assembler = new EntryAssembler(PK, segments);
          const got = (reverse ? [...items].reverse() : items).map((i) => assembler.add(i)).filter(Boolean);
          expect(got).toEqual([entry]);
        },
      ),
      { numRuns: fuzzCases(300) },
    );
  });

  it('refuses an item claiming a payload larger than its parts, without allocating it', () => {
    // Found by the property below: a size of 2^40 made the assembler allocate before checking (RangeError).
    const entry = { index: 5, term: 2, type: EntryType.Normal, data: new Uint8Array(10) };
    const [item] = entryItems(PK, entry, 1, 40);
    const assembler = new EntryAssembler(PK, segments);
    expect(() => assembler.add({ ...item!, size: { N: String(2 ** 40) } })).toThrow(StorageCorruptError);
  });

  it('refuses mutated items with StorageCorruptError only', () => {
    const entry = { index: 5, term: 2, type: EntryType.Normal, data: new Uint8Array(100).fill(9) };
    const items = entryItems(PK, entry, 1, 40);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(items.length - 1),
            fc.constantFrom('term', 'type', 'parts', 'size', 'data', 'sk'),
            attribute,
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (mutations) => {
          const mutated = items.map((i) => ({ ...i }));
          for (const [at, field, value] of mutations) mutated[at]![field] = value;
          const assembler = new EntryAssembler(PK, segments);
          for (const item of mutated) decodesOrRefuses(() => assembler.add(item));
        },
      ),
      { numRuns: fuzzCases(2000) },
    );
  });
});
