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
      'packages/engine/src/tasks/task-state.test.ts › "refuses a join nonce twice"',
      'packages/transport-http/src/server/raft-server.test.ts › "replayed", "stale timestamp"',
    ],
  },
  {
    title:
      'a follower refuses to sign a task request that does not match the on-chain task (validateTaskRequest)',
    tests: [
      'packages/engine/test/responses.test.ts (validateTaskRequest refuses: nothing signed, task stays open)',
      'apps/operator/test/multi-process.test.ts + test/support/engine-process.ts (onChainTaskCheck of @avs/engine-chain)',
    ],
  },
  {
    title: 'a member cannot evict another by registering its endpoint (EndpointTaken)',
    tests: [
      'packages/contracts/test/task-manager.test.ts › "keeps endpoints unique across operators and frees them on deregistration"',
    ],
  },
];

/** An attack on the trust boundary of the operator set (issue #17): how it is tried and what happens. */
export interface TrustBoundaryAttack {
  readonly attack: string;
  readonly tried: string;
  readonly outcome: string;
  readonly test: string;
}

export const TRUST_BOUNDARY_ATTACKS: readonly TrustBoundaryAttack[] = [
  {
    attack: 'a removed member keeps talking to a node that joined while it was a member',
    tried:
      '3 engines over HTTP; the second is deregistered and removed; it then handshakes with the third using its own key',
    outcome:
      'refused on every node (403 NOT_MEMBER at the handshake); membership is the applied configuration only',
    test: 'packages/engine/test/trust-boundary.test.ts › "a removed member is refused by a node that joined while it was a member"',
  },
  {
    attack: "a removed member's open stream or an expired session keeps delivering",
    tried: 'a silent stream whose peer is revoked; a stream whose 1 s session expires (real sockets)',
    outcome: 'the stream ends at once (NOT_MEMBER) or at expiry (SESSION_EXPIRED)',
    test: 'packages/transport-http/test/trust-boundary.test.ts › "open streams end with membership and session"',
  },
  {
    attack: 'a path attacker or a malicious join URL plants identities in the join answer',
    tried:
      "the joiner's join call answered with: an answer forged by an unregistered key listing itself; the genuine answer unsigned or with a planted member; a genuine signed answer to another request (the same joiner's, another joiner's)",
    outcome:
      'JOIN_ANSWER_UNAUTHENTICATED on the joiner; the planted identity is not allowed (main: accepted until the first applied configuration)',
    test: 'packages/engine/test/join-answer.test.ts`; EIP-712 signature: `packages/engine-chain/src/eip712-join.test.ts › "join answers"',
  },
  {
    attack: 'a malicious member used as join URL names an extra identity in an answer it signs itself',
    tried: "the founder's genuine answer with a planted member, re-signed with the founder's key",
    outcome:
      "the join succeeds; from the joiner's first applied configuration the planted identity is neither allowed nor dialled (main: kept in the joiner's dial list)",
    test: 'packages/engine/test/join-answer.test.ts › "a member\'s genuinely signed answer naming an extra identity"`; `packages/engine/src/membership/peer-allowance.test.ts',
  },
  {
    attack: "a registered operator joins under another operator's BLS operatorId",
    tried:
      "a signed join claiming the victim's id, through a follower and at the leader; the leader's direct join",
    outcome:
      "JOIN_OPERATOR_ID_MISMATCH, never forwarded; the victim's signature still counts in the next task",
    test: 'packages/engine/test/admission.test.ts › "a registered operator cannot join under another operator\'s id"',
  },
  {
    attack: 'a registrant with zero or too little stake joins; a member withdraws its stake',
    tried: 'stakes 0 and 49 against a minimum of 50; stake set to 0 while a voter',
    outcome: 'JOIN_INSUFFICIENT_STAKE at join; removed by the membership check',
    test: 'packages/engine/test/admission.test.ts › "refuses zero stake and stake below the minimum"',
  },
  {
    attack:
      'a member withdraws its stake and stays until the next periodic check; a forged stake event removes a staked member',
    tried:
      "on anvil, the owner lowers one member's stake to the minimum and another's to 10 (minimum 50) with a one-hour periodic check; in memory, a stake event for a member whose stake is unchanged",
    outcome:
      'the under-staked member is removed on the `OperatorStakeUpdate` event (main: kept for up to the periodic interval); the other stays; the forged event removes nobody (the leader re-reads the registry)',
    test: 'packages/engine-chain/test/stake-events.test.ts`; `packages/engine/test/registry-follower.test.ts › "on the stake event", "a forged stake event"',
  },
  {
    attack: 'junk joins make the leader verify and read the chain',
    tried: '200 joins from fresh keys (random and registered operatorIds) sent to a follower',
    outcome: 'refused on the follower, 0 forwarded, at most 16 chain reads in all (main: 2 per join)',
    test: 'packages/engine/test/admission.test.ts › "200 junk joins to a follower"',
  },
  {
    attack: 'throwaway keys fill the handshake nonce cache',
    tried:
      '1,000 offers signed by throwaway keys (nonce cache of 500), then a member; 20 offers from 127.0.0.2 with a bucket of 8',
    outcome:
      'all 403 before any signature work, no nonce kept, the member gets 200 (main: 503 BUSY); the noisy source gets 429 after 8 while 127.0.0.1 is served',
    test: 'packages/transport-http/test/trust-boundary.test.ts › "1,000 non-member handshakes", "limits handshakes per source address"',
  },
  {
    attack: 'an unauthenticated or huge task submission; status read by anyone',
    tried:
      'POST /avs/v1/tasks without credentials, with a wrong token, with a 100 MiB body; GET status without a session',
    outcome: '401; 413 on the declared length with RSS growth < 48 MiB; status 401 (health stays 200)',
    test: 'apps/operator/src/operator-routes.test.ts',
  },
  {
    attack: "a web page posts the dashboard's kill-leader action or reads it by DNS rebinding",
    tried: 'no token, a wrong token, another Origin, no Origin; a foreign Host header',
    outcome: '401 BAD_TOKEN, 403 BAD_ORIGIN, 403 BAD_HOST; nothing killed',
    test: 'apps/operator/src/dashboard/dashboard-server.test.ts',
  },
  {
    attack: "a registered URL points into the operator's private network (SSRF)",
    tried:
      'loopback, private, link-local, CGNAT, IPv6 ULA and mapped addresses, numeric spellings; userinfo, query, fragment, non-http schemes',
    outcome:
      'INVALID_ENDPOINT before dialling (loopback and private only where the configuration allows them)',
    test: 'packages/transport-http/src/client/endpoint-policy.test.ts; packages/engine/test/trust-boundary.test.ts › "endpoints are validated before dialling"',
  },
  {
    attack: "a registered DNS name resolves into the operator's network",
    tried:
      '`peer.test`, an alias of `localhost` resolved by the system resolver to 127.0.0.1, with loopback not allowed: through `guardFetch`, and as an `HttpTransport` peer sent a heartbeat; a name resolving to a public and a private address; a name that does not resolve',
    outcome:
      'INVALID_ENDPOINT at the dial, the underlying fetch never called (main: dialled), the peer reported unreachable; refused; refused',
    test: 'packages/transport-http/src/client/guarded-fetch.test.ts',
  },
  {
    attack: 'two operators configured to bootstrap found two clusters',
    tried:
      "two (and three) engines call `initializeRaftRpcServer(true)` in the same turn, in memory and over HTTP on 127.0.0.1; a bootstrap while a cluster runs; the probe route with a bad body, 4 KiB body, and past its per-source bucket of 8; a second `avs-operator start` process with `cluster.bootstrap` while op-0's cluster runs",
    outcome:
      "one cluster: the lowest address founds, the others get CLUSTER_EXISTS naming it and join; an existing cluster is refused by name (leader address, cluster id); 400, 413, 429; the process exits 2 with the one-line CLUSTER_EXISTS message, op-0's cluster unchanged",
    test: 'packages/engine/test/one-cluster.test.ts`, `packages/engine/test/one-cluster-http.test.ts`, `packages/engine/src/membership/cluster-probe.test.ts`; `apps/operator/test/one-cluster-process.test.ts',
  },
];
