import { describe, expect, it } from 'vitest';
import * as testkit from './index.js';

describe('@avs/storage-testkit exports', () => {
  it('exports exactly the documented API (change deliberately)', () => {
    expect(Object.keys(testkit).sort()).toEqual([
      'EMPTY_CONF_STATE',
      'EMPTY_HARD_STATE',
      'EMPTY_SNAPSHOT',
      'Harness',
      'LogModel',
      'SeededRandom',
      'StorageReader',
      'TEST_CONF_STATE',
      'describeStorageConformance',
      'digest',
      'entryPayload',
      'expectInitialState',
      'expectMatches',
      'expectThrowsCode',
      'expectedState',
      'formatCrashLine',
      'hasErrorCode',
      'makeEntries',
      'makeEntry',
      'makeSnapshot',
      'modelFromStorage',
      'observe',
      'operationFrom',
      'parseCrashLine',
      'plainEntry',
      'plainSnapshot',
      'randomOperation',
      'temporaryDirectories',
    ]);
  });
});

describe('LogModel', () => {
  it('replaces the conflicting suffix and keeps the compaction term', () => {
    const model = new testkit.LogModel();
    model.save({ entries: testkit.makeEntries(1, 10, 1) });
    model.save({ entries: testkit.makeEntries(4, 5, 2) });
    expect(model.lastIndex()).toBe(5);
    expect(model.term(5)).toBe(2);
    model.compact(4);
    expect(model.firstIndex()).toBe(5);
    expect(model.term(4)).toBe(2);
    expect(model.term(3)).toBeUndefined();
    expect(() => model.save({ entries: testkit.makeEntries(9, 9, 2) })).toThrow(RangeError);
  });
});

describe('crash protocol', () => {
  it('round-trips lines and rejects garbage with the line in the message', () => {
    const line = { kind: 'ack', seq: 7, lastIndex: 12 } as const;
    expect(testkit.parseCrashLine(testkit.formatCrashLine(line).trim())).toEqual(line);
    expect(() => testkit.parseCrashLine('hello')).toThrow(/not JSON: "hello"/);
    expect(() => testkit.parseCrashLine('{"kind":"nope"}')).toThrow(/unknown line/);
  });
});
