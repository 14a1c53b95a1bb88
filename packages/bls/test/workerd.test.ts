/**
 * BLS signing in workerd (Cloudflare's runtime, through Miniflare 4): the
 * package bundled as wrangler would, its key in a secret binding, signatures
 * equal to Node's and verified in the worker; `initBls()` in a request falls back to noble.
 */
import { bundleForWorkerd, serveOnWorkerd } from '@avs/tooling-config/workerd';
import { afterAll, describe, expect, it } from 'vitest';
import { BlsKeyPair, g1ToJson } from '../src/index.js';

const SECRET = '0x1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988';

const { code } = await bundleForWorkerd(new URL('./edge/bls-worker.ts', import.meta.url), { minify: true });
const { miniflare: mf, dispose } = await serveOnWorkerd(code, { bindings: { BLS_SECRET_KEY: SECRET } });
afterAll(dispose);

describe('@avs/bls in workerd', () => {
  it('signs with a key from a secret binding exactly as on Node, and verifies there', async () => {
    const key = BlsKeyPair.fromSecretKey(SECRET);
    for (const digest of [`0x${'00'.repeat(31)}01`, `0x${'ab'.repeat(32)}`] as const) {
      const res = await mf.dispatchFetch('http://worker/sign', { method: 'POST', body: digest });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        signature: g1ToJson(key.sign(digest)),
        verified: true,
        operatorId: key.operatorId,
        // mcl-wasm does not load in workerd: initBls() falls back to the pure-JS backend there.
        backend: 'noble',
      });
    }
  });
});
