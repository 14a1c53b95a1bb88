/**
 * Admission and removal of operators. A member that receives a join request
 * forwards it to the leader; the leader checks it (cheap checks first, chain
 * calls last), records the member's metadata with the request's nonce in the
 * replicated state (so no leader accepts the request twice), adds the
 * operator as a learner; its voter autopilot promotes learners to the free
 * voter seats (see voter-autopilot.ts). Members that are no longer registered
 * on-chain, or below the minimum stake, are removed (a voter only while the
 * others keep a live quorum).
 */

import type { EngineContext } from '../engine-context.js';
import { EngineError, EngineNotLeaderError, JoinRefusedError } from '../errors.js';
import type { OperatorEndpoints, TaskConsensusCallbacks } from '../ports/callbacks.js';
import type { JoinResult } from '../ports/wire.js';
import type { MemberInfo } from '../tasks/task-command.js';
import { withTimeout } from '../waiting.js';
import { AdmissionChecks } from './admission-checks.js';
import { type JoinAuthenticator, type SignedJoinRequest, signedJoinRequestSchema } from './join-request.js';
import { VoterAutopilot } from './voter-autopilot.js';

function endpointsOf(value: OperatorEndpoints | string): OperatorEndpoints {
  return typeof value === 'string' ? { httpUrl: value, raftUrl: value } : value;
}

const trimUrl = (u: string) => u.replace(/\/+$/, '');

export class JoinService {
  /** Nonces of joins being admitted right now (the replicated set covers finished ones). */
  readonly #inProgress = new Set<string>();
  /** Raft takes one membership change at a time (the next waits until the last is applied). */
  #membershipChanges: Promise<unknown> = Promise.resolve();

  /** Cached registry reads and the cheap and chain-bound join checks. */
  readonly admission: AdmissionChecks;
  /**
   * The voter autopilot: promotes learners (by stake, up to `maxVoters`), replaces failed voters,
   * says whether removing a voter keeps a live quorum, and runs the periodic membership check.
   */
  readonly autopilot: VoterAutopilot;

  constructor(
    private readonly core: EngineContext,
    private readonly callbacks: Pick<
      TaskConsensusCallbacks<unknown, unknown>,
      'isValidOperator' | 'fetchOperatorUrl' | 'operatorAddressOf'
    >,
    private readonly joinAuth: Pick<JoinAuthenticator, 'recoverSigner' | 'signAnswer'>,
  ) {
    this.admission = new AdmissionChecks({
      config: core.config,
      chain: core.chain,
      joinAuth,
      now: () => core.clock.now(),
      operatorAddressOf: callbacks.operatorAddressOf?.bind(callbacks),
    });
    this.autopilot = new VoterAutopilot(core, {
      admission: this.admission,
      serially: (change) => this.#oneAtATime(change),
      checkMembership: () => this.checkMembership(),
    });
  }

  /**
   * Handles a join request: forwards it to the leader, or admits the operator on the leader.
   * A member that joins again with a fresh request gets its current role and the members back.
   * @throws JoinRefusedError with the reason; EngineNotLeaderError when a forwarded request reached a non-leader
   */
  async handle(body: unknown, forwardedBy?: string): Promise<JoinResult> {
    // The joiner accepts an answer only from a member named in it: a node whose own metadata
    // is not applied yet (a founder just after bootstrap) cannot answer yet; the joiner retries.
    const named = (members: readonly MemberInfo[]) => members.some((m) => m.id === this.core.id);
    if (forwardedBy === undefined && !named(this.core.state.members())) {
      throw new JoinRefusedError(
        'UNAVAILABLE',
        'this member is not in the applied membership yet; try again shortly',
      );
    }
    const { request, result } = await this.#answer(body, forwardedBy);
    // Between members the session authenticates the answer; to a joiner this node signs it,
    // bound to the request's nonce, so nobody on the path can plant members in it.
    if (forwardedBy !== undefined) return result;
    if (!named(result.members)) {
      throw new JoinRefusedError('UNAVAILABLE', 'the leader did not name this member yet; try again shortly');
    }
    const answer = {
      chainId: request.chainId,
      contract: request.contract,
      clusterId: request.clusterId,
      joiner: request.operator.toLowerCase(),
      requestNonce: request.nonce.toLowerCase(),
      answeredBy: this.core.id,
      role: result.role,
      leaderId: result.leaderId,
      members: result.members,
    };
    const signature = await this.joinAuth.signAnswer(answer);
    return {
      role: result.role,
      leaderId: result.leaderId,
      members: result.members,
      proof: { answeredBy: this.core.id, signature },
    };
  }

  async #answer(
    body: unknown,
    forwardedBy: string | undefined,
  ): Promise<{ request: SignedJoinRequest['request']; result: JoinResult }> {
    const parsed = signedJoinRequestSchema.safeParse(body);
    if (!parsed.success) {
      throw new JoinRefusedError(
        'MALFORMED',
        `expected a signed join request: ${parsed.error.issues[0]?.message}`,
      );
    }
    // Refused here, never forwarded: junk costs the leader nothing and this node only cached reads.
    await this.admission.cheapChecks(parsed.data);
    const node = this.core.node();
    if (node.status().role !== 'leader') {
      const leader = this.core.leaderId();
      if (forwardedBy !== undefined) throw new EngineNotLeaderError(leader, 'admitting an operator');
      if (leader === '') throw new JoinRefusedError('UNAVAILABLE', 'no leader is known; try again shortly');
      const { requestTimeoutMs, promoteTimeoutMs } = this.core.config;
      const forwarded = await this.core.transport.client.forwardJoin(
        { id: leader, httpUrl: this.core.httpUrlOf(leader) },
        parsed.data,
        requestTimeoutMs + promoteTimeoutMs,
      );
      const { role, leaderId, members } = forwarded;
      return { request: parsed.data.request, result: { role, leaderId, members } };
    }
    return { request: parsed.data.request, result: await this.#admit(parsed.data) };
  }

  /**
   * Checks a join request on the leader, cheapest checks first.
   * @throws JoinRefusedError
   */
  async verify(signed: SignedJoinRequest): Promise<MemberInfo> {
    const { request } = signed;
    await this.admission.cheapChecks(signed);
    const operator = request.operator.toLowerCase();
    const nonce = request.nonce.toLowerCase();
    if (this.core.state.joinNonceUsed(nonce) || this.#inProgress.has(nonce)) {
      throw new JoinRefusedError('REPLAYED', `join request nonce ${nonce} was already used`);
    }
    let registered: boolean;
    let endpoints: OperatorEndpoints;
    try {
      registered = await this.callbacks.isValidOperator(operator);
      endpoints = registered
        ? endpointsOf(await this.callbacks.fetchOperatorUrl(operator))
        : { httpUrl: '', raftUrl: '' };
    } catch (cause) {
      throw new JoinRefusedError('UNAVAILABLE', 'the operator registry could not be read', { cause });
    }
    if (!registered) throw new JoinRefusedError('UNREGISTERED', `${operator} is not a registered operator`);
    if (
      trimUrl(endpoints.httpUrl) !== trimUrl(request.httpUrl) ||
      trimUrl(endpoints.raftUrl) !== trimUrl(request.raftUrl)
    ) {
      throw new JoinRefusedError(
        'ENDPOINT_MISMATCH',
        `the request's endpoints (${request.httpUrl}, ${request.raftUrl}) are not the registered ones (${endpoints.httpUrl}, ${endpoints.raftUrl})`,
      );
    }
    for (const url of [request.httpUrl, request.raftUrl]) {
      const why = this.core.transport.endpointRefusal?.(url);
      if (why !== undefined) throw new JoinRefusedError('ENDPOINT_REFUSED', why);
    }
    const taken = this.core.state
      .members()
      .find(
        (m) =>
          m.id !== operator &&
          (trimUrl(m.httpUrl) === trimUrl(request.httpUrl) ||
            trimUrl(m.raftUrl) === trimUrl(request.raftUrl)),
      );
    if (taken)
      throw new JoinRefusedError(
        'ENDPOINT_IN_USE',
        `an endpoint of the request is used by member ${taken.id}`,
      );
    return {
      id: operator,
      operatorId: request.operatorId.toLowerCase(),
      httpUrl: request.httpUrl,
      raftUrl: request.raftUrl,
    };
  }

  async #admit(signed: SignedJoinRequest): Promise<JoinResult> {
    const member = await this.verify(signed);
    const nonce = signed.request.nonce.toLowerCase();
    this.#inProgress.add(nonce);
    try {
      const outcome = await this.core.propose({ type: 'member.upsert', member, joinNonce: nonce });
      if (!outcome.ok) throw new JoinRefusedError('REPLAYED', outcome.message);
      const node = this.core.node();
      const conf = node.status().config;
      // A member joining again (e.g. its first answer was lost): a fresh, valid request gets the membership back.
      if (conf.voters.includes(member.id)) {
        return { role: 'voter', leaderId: this.core.id, members: this.core.state.members() };
      }
      if (!conf.learners.includes(member.id)) {
        await this.#oneAtATime(() =>
          node.addLearner(member.id, new TextEncoder().encode(JSON.stringify(member))),
        );
        this.core.emit('member-joined', { id: member.id, role: 'learner' });
      }
      // Answer now: the joiner learns the members from the answer and only then accepts their Raft traffic.
      // The autopilot promotes it once caught up, if a seat is free and it ranks first by stake.
      this.autopilot.nudge();
      return { role: 'learner', leaderId: this.core.id, members: this.core.state.members() };
    } finally {
      this.#inProgress.delete(nonce);
    }
  }

  /**
   * Leader only: admits a registered operator without a signed request (the
   * original `Join`, for operator tooling). The registry is still checked.
   * @throws EngineNotLeaderError; JoinRefusedError (`UNREGISTERED`, `ALREADY_MEMBER`, `ENDPOINT_IN_USE`, `UNAVAILABLE`)
   */
  async admitDirectly(operatorId: string, address: string): Promise<JoinResult> {
    const node = this.core.node();
    if (node.status().role !== 'leader') throw new EngineNotLeaderError(node.status().leader, 'join');
    const id = address.toLowerCase();
    const conf = node.status().config;
    if (conf.voters.includes(id) || conf.learners.includes(id)) {
      throw new JoinRefusedError('ALREADY_MEMBER', `${id} is already a member`);
    }
    let endpoints: OperatorEndpoints;
    try {
      if (!(await this.callbacks.isValidOperator(id))) {
        throw new JoinRefusedError('UNREGISTERED', `${id} is not a registered operator`);
      }
      endpoints = endpointsOf(await this.callbacks.fetchOperatorUrl(id));
    } catch (cause) {
      if (cause instanceof JoinRefusedError) throw cause;
      throw new JoinRefusedError('UNAVAILABLE', 'the operator registry could not be read', { cause });
    }
    const taken = this.core.state
      .members()
      .find((m) => m.id !== id && (m.httpUrl === endpoints.httpUrl || m.raftUrl === endpoints.raftUrl));
    if (taken) throw new JoinRefusedError('ENDPOINT_IN_USE', `an endpoint is used by ${taken.id}`);
    await this.admission.requireOperatorId(id, operatorId);
    const stake = await this.admission.stakeVerdict(operatorId).catch((cause) => {
      throw new JoinRefusedError('UNAVAILABLE', 'the operator registry could not be read', { cause });
    });
    if (stake) throw new JoinRefusedError(stake.reason, stake.message);
    const member = { id, operatorId: operatorId.toLowerCase(), ...endpoints };
    await this.core.propose({ type: 'member.upsert', member });
    await this.#oneAtATime(() => node.addLearner(id, new TextEncoder().encode(JSON.stringify(member))));
    this.core.emit('member-joined', { id, role: 'learner' });
    this.autopilot.nudge();
    return { role: 'learner', leaderId: this.core.id, members: this.core.state.members() };
  }

  /** Runs membership changes one after another, so concurrent joins do not refuse each other. */
  #oneAtATime<V>(change: () => Promise<V>): Promise<V> {
    const run = this.#membershipChanges.then(change, change);
    this.#membershipChanges = run.catch(() => undefined);
    return run;
  }

  /**
   * Leader only: removes every member the registry no longer lists, or whose stake in a task
   * quorum fell below `minimumStake`.
   * @returns the removed ids
   */
  async checkMembership(): Promise<string[]> {
    const st = this.core.node().status();
    if (st.role !== 'leader') return [];
    const removed: string[] = [];
    for (const id of [...st.config.voters, ...st.config.learners]) {
      if (await this.checkMember(id)) removed.push(id);
    }
    return removed;
  }

  /**
   * Leader only: removes `id` when the registry no longer lists it or its stake in a task quorum is
   * below `minimumStake`, as read from the chain now (never from what an event claimed).
   * @param options.fresh skip the cached block and operator set (a stake event names a newer block)
   * @returns whether it was removed (false when not the leader, not a member, the read failed, or the
   *   removal would cost the voters their live quorum)
   */
  async checkMember(id: string, options: { fresh?: boolean } = {}): Promise<boolean> {
    const st = this.core.node().status();
    if (st.role !== 'leader' || id === this.core.id) return false;
    if (!st.config.voters.includes(id) && !st.config.learners.includes(id)) return false;
    let registered = true;
    try {
      registered = await withTimeout(
        this.core.clock,
        this.core.config.requestTimeoutMs,
        async () => this.callbacks.isValidOperator(id),
        () => new Error('isValidOperator timed out'),
      );
    } catch (error) {
      this.core.reportError(error, `checking ${id}`);
      return false;
    }
    if (!registered) return this.#removeIfSafe(id, 'the operator is no longer registered');
    // Stake to stay: below the minimum in a task quorum (e.g. withdrawn) means removed.
    const operatorId = this.core.state.member(id)?.operatorId;
    if (operatorId === undefined) return false;
    let verdict: Awaited<ReturnType<AdmissionChecks['stakeVerdict']>>;
    try {
      verdict = await this.admission.stakeVerdict(operatorId, options);
    } catch (error) {
      this.core.reportError(error, `reading the stake of ${id}`);
      return false;
    }
    return verdict !== undefined && this.#removeIfSafe(id, verdict.message);
  }

  /** Removes a member unless that would cost the voters their live quorum (then the autopilot replaces it first). */
  async #removeIfSafe(id: string, reason: string): Promise<boolean> {
    try {
      await this.remove(id, reason);
      return true;
    } catch (error) {
      if (!(error instanceof EngineError && error.code === 'QUORUM_UNSAFE')) throw error;
      this.autopilot.nudge();
      this.core.reportError(error, `removing ${id}`);
      return false;
    }
  }

  /** Leader only: removes a member from the configuration and its metadata. */
  async remove(id: string, reason: string): Promise<void> {
    const node = this.core.node();
    const conf = node.status().config;
    if (conf.voters.includes(id) && !this.autopilot.canRemoveVoter(id)) {
      // The autopilot replaces it first (promote a learner, then demote it); the next check removes it.
      throw new EngineError(
        'QUORUM_UNSAFE',
        `removing voter ${id} now would leave fewer live voters than a quorum`,
      );
    }
    if (conf.voters.includes(id) || conf.learners.includes(id))
      await this.#oneAtATime(() => node.removeServer(id));
    await this.core.propose({ type: 'member.remove', id, reason });
    this.core.emit('member-removed', { id, reason });
  }
}
