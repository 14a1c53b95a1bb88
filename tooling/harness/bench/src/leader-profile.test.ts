import { describe, expect, it } from 'vitest';
import { categorize, summarizeProfile } from './leader-profile.js';

describe('categorize', () => {
  it('names packages, workspace packages and runtime parts', () => {
    expect(categorize('f', 'file:///w/node_modules/.pnpm/hono@4.13.19/node_modules/hono/dist/x.js')).toBe(
      'hono',
    );
    expect(
      categorize('f', 'file:///w/node_modules/.pnpm/@hono+node-server@2.1.9_hono@4.13.19/node_modules/x.mjs'),
    ).toBe('@hono/node-server');
    expect(categorize('f', 'file:///w/packages/raft-core/dist/index.js')).toBe('@avs/raft-core');
    expect(categorize('f', 'file:///w/apps/kv/dist/index.js')).toBe('@avs/kv');
    expect(categorize('f', 'node:internal/crypto/util')).toBe('Node crypto (WebCrypto)');
    expect(categorize('f', 'node:internal/deps/undici/undici')).toBe('Node built-in undici (fetch)');
    expect(categorize('f', 'node:net')).toMatch(/^Node internals/);
    expect(categorize('writev', '')).toMatch(/^native code/);
    expect(categorize('(garbage collector)', '')).toBe('V8 garbage collector');
    expect(categorize('(idle)', '')).toBeUndefined();
  });
});

describe('summarizeProfile', () => {
  it('sums self time per category, without idle, as shares of busy time', () => {
    const s = summarizeProfile({
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '' } },
        { id: 2, callFrame: { functionName: 'step', url: 'file:///w/packages/raft-core/dist/index.js' } },
        {
          id: 3,
          callFrame: {
            functionName: 'h',
            url: 'file:///w/node_modules/.pnpm/hono@4.1.0/node_modules/hono/a.js',
          },
        },
      ],
      samples: [1, 2, 3, 3, 2],
      timeDeltas: [5000, 1000, 2000, 1000, 0],
    });
    expect(s.busyMs).toBe(4);
    expect(s.categories).toEqual([
      { category: 'hono', ms: 3, share: 0.75 },
      { category: '@avs/raft-core', ms: 1, share: 0.25 },
    ]);
  });
});
