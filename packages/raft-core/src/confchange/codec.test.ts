import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidConfChangeError } from '../errors.js';
import { ConfChangeTransition, ConfChangeType } from '../types.js';
import { decodeConfChange, encodeConfChange } from './codec.js';

const change = fc.record({
  transition: fc.constantFrom(
    ConfChangeTransition.Auto,
    ConfChangeTransition.JointImplicit,
    ConfChangeTransition.JointExplicit,
  ),
  changes: fc.array(
    fc.record({
      type: fc.constantFrom(ConfChangeType.AddVoter, ConfChangeType.AddLearner, ConfChangeType.RemoveNode),
      nodeId: fc.string({ minLength: 1, maxLength: 20 }),
    }),
    { maxLength: 6 },
  ),
  context: fc.uint8Array({ maxLength: 40 }),
});

/** Cases per property: the CI budget, or AVS_FUZZ_CASES (the long reliability run sets 10 000). */
const fuzzCases = (ci: number): number => Number(process.env.AVS_FUZZ_CASES) || ci;

describe('conf change codec', () => {
  it('property: decode(encode(cc)) equals cc', () => {
    fc.assert(
      fc.property(change, (cc) => {
        expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
      }),
      { numRuns: fuzzCases(100) },
    );
  });

  it('property: every strict prefix of an encoding is rejected with a typed error', () => {
    fc.assert(
      fc.property(change, fc.nat(), (cc, cut) => {
        const bytes = encodeConfChange(cc);
        const prefix = bytes.subarray(0, cut % bytes.byteLength);
        expect(() => decodeConfChange(prefix)).toThrow(InvalidConfChangeError);
      }),
      { numRuns: fuzzCases(100) },
    );
  });

  it('property: random bytes and mutated encodings decode or throw InvalidConfChangeError, nothing else', () => {
    const mutated = fc
      .tuple(
        change,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      )
      .map(([cc, edits]) => {
        const bytes = encodeConfChange(cc).slice();
        for (const [at, value] of edits) bytes[at % bytes.byteLength] = value;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (bytes) => {
        try {
          decodeConfChange(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidConfChangeError);
        }
      }),
      { numRuns: fuzzCases(200) },
    );
  });

  it('rejects trailing bytes and unknown versions', () => {
    const bytes = encodeConfChange({ transition: ConfChangeTransition.Auto, changes: [] });
    expect(() => decodeConfChange(new Uint8Array([...bytes, 0]))).toThrow(/trailing/);
    expect(() => decodeConfChange(new Uint8Array([9, ...bytes.subarray(1)]))).toThrow(/version/);
  });
});
