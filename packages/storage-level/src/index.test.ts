import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/storage-level exports', () => {
  it('exports exactly the documented API (change deliberately)', () => {
    expect(Object.keys(api).sort()).toEqual(['LevelBackend', 'LevelLockedError', 'createLevelStorage']);
  });
});
