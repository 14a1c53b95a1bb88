import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/retry public exports', () => {
  it('are exactly these (change deliberately)', () => {
    expect(Object.keys(api).sort()).toEqual(['backoffDelay', 'withBackoff']);
  });
});
