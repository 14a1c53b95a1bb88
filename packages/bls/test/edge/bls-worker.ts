/**
 * A Worker signing with an operator's BLS key held in a secret binding: what
 * an operator on Cloudflare Workers needs from this package.
 * `POST /sign` (body: a 0x digest) → the G1 signature as JSON, verified in the worker first.
 */
import { BlsKeyPair, g1ToJson, verify } from '../../src/index.js';

interface Env {
  readonly BLS_SECRET_KEY: string;
}

let key: BlsKeyPair | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    key ??= BlsKeyPair.fromSecretKey(env.BLS_SECRET_KEY);
    const digest = (await request.text()) as `0x${string}`;
    const signature = key.sign(digest);
    return Response.json({
      signature: g1ToJson(signature),
      verified: verify(digest, signature, key.publicKeyG2),
      operatorId: key.operatorId,
    });
  },
};
