import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('fills in defaults', () => {
    const o = resolveOptions({ dir: '/x' });
    expect(o.segmentBytes).toBe(64 * 1024 * 1024);
    expect(o.cacheBytes).toBe(64 * 1024 * 1024);
  });

  it.each([
    [{ dir: '' }, /dir: expected a non-empty directory path/],
    [{ dir: '/x', segmentBytes: 100 }, /segmentBytes: expected an integer >= 4096, got 100/],
    [{ dir: '/x', cacheBytes: -1 }, /cacheBytes: expected an integer >= 0, got -1/],
    [{ dir: '/x', cacheBytes: 1.5 }, /cacheBytes/],
  ])('rejects %j with a message saying what was expected', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(message);
    expect(() => resolveOptions(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS' }));
  });
});
