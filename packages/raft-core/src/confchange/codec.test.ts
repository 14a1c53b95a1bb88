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

describe('conf change codec', () => {
  it('property: decode(encode(cc)) equals cc', () => {
    fc.assert(
      fc.property(change, (cc) => {
        expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
      }),
    );
  });

  it('property: every strict prefix of an encoding is rejected with a typed error', () => {
    fc.assert(
      fc.property(change, fc.nat(), (cc, cut) => {
        const bytes = encodeConfChange(cc);
        const prefix = bytes.subarray(0, cut % bytes.byteLength);
        expect(() => decodeConfChange(prefix)).toThrow(InvalidConfChangeError);
      }),
    );
  });

  it('rejects trailing bytes and unknown versions', () => {
    const bytes = encodeConfChange({ transition: ConfChangeTransition.Auto, changes: [] });
    expect(() => decodeConfChange(new Uint8Array([...bytes, 0]))).toThrow(/trailing/);
    expect(() => decodeConfChange(new Uint8Array([9, ...bytes.subarray(1)]))).toThrow(/version/);
  });
});
