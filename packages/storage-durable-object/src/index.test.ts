import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/storage-durable-object exports', () => {
  it('exports exactly its public API', () => {
    expect(Object.keys(api).sort()).toEqual([
      'DurableObjectBackend',
      'DurableObjectKeys',
      'createDurableObjectStorage',
    ]);
  });

  it('orders entry keys by index, parts after their head and before the next entry', () => {
    const keys = new api.DurableObjectKeys('p/');
    const sorted = [
      keys.entry(2),
      keys.entryPart(1, 0),
      keys.entry(10),
      keys.entry(1),
      keys.entryPart(1, 1),
    ].sort();
    expect(sorted).toEqual([
      keys.entry(1),
      keys.entryPart(1, 0),
      keys.entryPart(1, 1),
      keys.entry(2),
      keys.entry(10),
    ]);
    expect(keys.parseEntry(keys.entryPart(300, 5))).toEqual({ index: 300, part: 5 });
    expect(keys.parseEntry(keys.meta)).toBeUndefined();
    expect(keys.entry(Number.MAX_SAFE_INTEGER) < keys.entriesEnd).toBe(true);
  });
});
