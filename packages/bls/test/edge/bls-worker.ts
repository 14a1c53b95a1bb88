/**
 * A Worker signing with an operator's BLS key held in a secret binding: what
 * an operator on Cloudflare Workers needs from this package.
 * `POST /sign` (body: a 0x digest) → the G1 signature as JSON, verified in the worker first, and
 * the BLS backend `initBls()` chose there.
 */
import { type BlsBackendName, BlsKeyPair, g1ToJson, initBls, verify } from '../../src/index.js';

interface Env {
  readonly BLS_SECRET_KEY: string;
}

let key: BlsKeyPair | undefined;
let backend: Promise<BlsBackendName> | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    // Inside a request, not at module load: workerd forbids I/O and randomness at the top level.
    backend ??= initBls();
    const backendName = await backend;
    key ??= BlsKeyPair.fromSecretKey(env.BLS_SECRET_KEY);
    const digest = (await request.text()) as `0x${string}`;
    const signature = key.sign(digest);
    return Response.json({
      signature: g1ToJson(signature),
      verified: verify(digest, signature, key.publicKeyG2),
      operatorId: key.operatorId,
      backend: backendName,
    });
  },
};
