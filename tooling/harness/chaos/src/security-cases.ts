/**
 * Where each security case of the suite is tested (the report lists them).
 * Paths are relative to the repository root.
 */

/** A security property and the tests that assert it. */
export interface SecurityCase {
  readonly title: string;
  readonly tests: readonly string[];
}

export const SECURITY_CASES: readonly SecurityCase[] = [
  {
    title: 'a non-member or forged sender cannot get a Raft message accepted',
    tests: [
      'packages/transport-http/src/server/raft-server.test.ts › "a member speaking for another node", "a member removed after its handshake", "unknown session", "wrongly signed"',
      'packages/transport-http/test/route-fuzz.test.ts › "handshake offers with generated fields"',
    ],
  },
  {
    title: 'a non-member or forged sender cannot get a vote or a snapshot chunk accepted',
    tests: ['tooling/harness/chaos/test/security.test.ts'],
  },
  {
    title: 'a non-member or forged task response is refused',
    tests: [
      'packages/engine/test/responses.test.ts › "refuses malformed, unknown and non-member submissions"',
      'packages/bls/src/aggregation/service-misbehaviour.test.ts › "rejects unknown operators", "a forged signature sent first under an operator\'s id does not lock the operator out"',
    ],
  },
  {
    title: 'a replayed join or Raft request is refused',
    tests: [
      'packages/engine/test/membership.test.ts › "refuses forged, expired, replayed, unregistered, wrong-domain, stale, mismatched and malformed joins"',
      'packages/engine/src/task-state.test.ts › "refuses a join nonce twice"',
      'packages/transport-http/src/server/raft-server.test.ts › "replayed", "stale timestamp"',
    ],
  },
  {
    title:
      'a follower refuses to sign a task request that does not match the on-chain task (validateTaskRequest)',
    tests: [
      'packages/engine/test/responses.test.ts (validateTaskRequest refuses: nothing signed, task stays open)',
      'apps/operator/test/multi-process.test.ts + test/support/engine-process.ts (onChainTaskCheck of @avs/chain)',
    ],
  },
  {
    title: 'a member cannot evict another by registering its endpoint (EndpointTaken)',
    tests: [
      'packages/contracts/test/task-manager.test.ts › "keeps endpoints unique across operators and frees them on deregistration"',
    ],
  },
];
