import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/engine-chain public exports', () => {
  it('are exactly these (change deliberately)', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "JOIN_ANSWER_TYPES",
        "JOIN_DOMAIN_NAME",
        "JOIN_DOMAIN_VERSION",
        "JOIN_REQUEST_TYPES",
        "chainResponseDigest",
        "createChainAdapter",
        "eip712JoinAuthenticator",
        "engineRegistryEvent",
        "engineRegistryEvents",
        "joinAnswerDigest",
        "joinRequestDigest",
        "onChainTaskCheck",
        "recoverJoinAnswerSigner",
        "recoverJoinSigner",
        "signJoinAnswer",
        "signJoinRequest",
        "taskSpecOf",
      ]
    `);
  });
});
