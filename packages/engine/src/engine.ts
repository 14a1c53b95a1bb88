/**
 * The TaskConsensusEngine (the original `NewAVSConcensusEngine` and
 * `TaskConsensusManager`): composes a Raft node, the replicated task state,
 * the response worker, the leader's duties and the join service over the
 * injected storage, transport and chain.
 */
import { initBls } from '@avs/bls';
import {
  type Clock,
  type Entry,
  type Logger,
  type StateMachine,
  silentLogger,
  systemClock,
} from '@avs/raft-core';
import { wallClock } from '@avs/transport-http';
import { parseEngineConfig, type ResolvedEngineConfig } from './config.js';
import { raftNodeFactory } from './consensus/consensus-factory.js';
import type { ConsensusNode, ConsensusSettings } from './consensus/consensus-node.js';
import type { EngineContext } from './engine-context.js';
import { type EngineEventMap, EventEmitter, type Unsubscribe } from './engine-events.js';
import type { TaskConsensusEngineOptions } from './engine-options.js';
import { type EngineStatus, engineStatusOf } from './engine-status.js';
import {
  EngineConfigError,
  EngineError,
  EngineNotLeaderError,
  EngineStateError,
  TaskStateError,
} from './errors.js';
import { ResponseWorker } from './follower/response-worker.js';
import { LeaderDuties } from './leader/leader-duties.js';
import {
  confirmLeadership,
  type ElectionResult,
  type LeaderInfo,
  rotateLeadership,
} from './leader/leadership.js';
import { BootstrapGuard, registeredProbeTargets } from './membership/cluster-probe.js';
import { joinCluster } from './membership/join-client.js';
import { JoinService } from './membership/join-service.js';
import { PeerAllowance } from './membership/peer-allowance.js';
import { RegistryFollower } from './membership/registry-follower.js';
import type { VoterStep } from './membership/voter-plan.js';
import { type ProcessedResponse, resolveResponseProcessor } from './ports/callbacks.js';
import type { EngineRpcHandler } from './ports/engine-transport.js';
import type { JoinResult, SubmitResponsesResult } from './ports/wire.js';
import { type BatchProof, batchProofOf } from './tasks/batch-digest.js';
import { BatchPacker } from './tasks/batch-packer.js';
import { encodeTaskCommand, type MemberInfo, type TaskCommand } from './tasks/task-command.js';
import { type TaskSpec, taskRequestOf } from './tasks/task-request.js';
import { type ApplyOutcome, type TaskEvent, type TaskRecord, TaskStateMachine } from './tasks/task-state.js';
import { backoffMs, sleep } from './waiting.js';

export type { TaskConsensusEngineOptions } from './engine-options.js';
export type { EngineStatus } from './engine-status.js';
export type { TaskSpec } from './tasks/task-request.js';

/** The engine. Create it with {@link createTaskConsensusEngine}. */
export class TaskConsensusEngine<T, K> implements StateMachine<ApplyOutcome> {
  /** Raft node id: the lowercase ECDSA address. */
  readonly id: string;
  readonly operatorId: string;
  readonly config: ResolvedEngineConfig;
  readonly #options: TaskConsensusEngineOptions<T, K>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #state: TaskStateMachine;
  readonly #events = new EventEmitter<EngineEventMap>();
  readonly #process: (response: K) => Promise<ProcessedResponse>;
  readonly #core: EngineContext;
  readonly #worker: ResponseWorker<T, K>;
  readonly #leader: LeaderDuties<T, K>;
  readonly #joins: JoinService;
  readonly #packer: BatchPacker | undefined;
  /** Membership: the applied configuration (plus a joiner's join answer until then). */
  readonly #peers: PeerAllowance;
  /** Answers cluster probes and decides whether a bootstrap may found (one cluster, #17 item 8). */
  readonly #guard: BootstrapGuard;
  #node: ConsensusNode<ApplyOutcome> | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #unsubscribe: (() => void)[] = [];
  #stopFollowing: (() => void) | undefined;
  #lastLeader = '';
  #lastTerm = -1;

  constructor(options: TaskConsensusEngineOptions<T, K>) {
    this.config = parseEngineConfig(options.config);
    if (!/^0x[0-9a-fA-F]{40}$/.test(options.joinAuth?.address ?? '')) {
      throw new EngineConfigError('joinAuth.address: expected the operator address (0x and 40 hex digits)');
    }
    this.id = options.joinAuth.address.toLowerCase();
    this.#guard = new BootstrapGuard(this.id, this.config.clusterId);
    this.operatorId = options.blsKey.operatorId.toLowerCase();
    if (this.config.operatorId.toLowerCase() !== this.operatorId) {
      throw new EngineConfigError(
        `config.operatorId: expected ${this.operatorId}, the operator id of blsKey`,
      );
    }
    if (!options.callbacks?.requestSchema || !options.callbacks.responseSchema) {
      throw new EngineConfigError('callbacks.requestSchema and callbacks.responseSchema are required');
    }
    this.#options = options;
    this.#clock = options.clock ?? wallClock;
    this.#logger = options.logger ?? silentLogger;
    this.#state = new TaskStateMachine(options.taskState);
    this.#peers = new PeerAllowance(this.id, () => this.#node, this.#state, options.transport);
    try {
      this.#process = resolveResponseProcessor(options.callbacks, options.digest ?? {});
    } catch (cause) {
      throw new EngineConfigError(`callbacks.onLeaderProcessTaskResponse: ${(cause as Error).message}`);
    }
    this.#core = {
      id: this.id,
      operatorId: this.operatorId,
      config: this.config,
      clock: this.#clock,
      state: this.#state,
      transport: options.transport,
      chain: options.chain,
      node: () => this.#requireNode(),
      isClosed: () => this.#closed,
      leaderId: () => this.#node?.status().leader ?? '',
      httpUrlOf: (id) => (id === this.id ? this.config.httpUrl : (this.#state.member(id)?.httpUrl ?? '')),
      propose: (cmd) => this.#propose(cmd),
      emit: (type, event) => this.#events.emit(type, event),
      reportError: (error, context) => this.#reportError(error, context),
    };
    this.#leader = new LeaderDuties(this.#core, options.callbacks, this.#process, options.aggregation ?? {});
    this.#worker = new ResponseWorker(
      this.#core,
      options.callbacks,
      this.#process,
      options.blsKey,
      (peer, body) => this.#leader.acceptResponses(peer, body),
    );
    this.#joins = new JoinService(this.#core, options.callbacks, options.joinAuth);
    this.#packer =
      options.batching === undefined || options.chain.submitter.submitBatch === undefined
        ? undefined
        : new BatchPacker(this.#clock, options.batching, (cmd) => this.#propose(cmd));
  }

  // ---- lifecycle ----

  /**
   * Starts the Raft node and serves the engine's calls (the original
   * `InitializeRaftRpcServer`). With `shouldBootstrapCluster` and empty
   * storage, this node founds a one-member cluster and becomes its leader,
   * after asking every registered operator's endpoint whether a cluster exists
   * (see the README, "One cluster").
   * @param operatorId optional; must equal `config.operatorId` when given
   * @throws EngineConfigError for a mismatched operator id; EngineStateError when closed or already started;
   *   ClusterExistsError (`CLUSTER_EXISTS`) when a cluster exists or a lower-address bootstrapper is founding one
   */
  async initializeRaftRpcServer(shouldBootstrapCluster: boolean, operatorId?: string): Promise<void> {
    if (operatorId !== undefined && operatorId.toLowerCase() !== this.operatorId) {
      throw new EngineConfigError(
        `operatorId: expected ${this.operatorId} (config.operatorId), got ${operatorId}`,
      );
    }
    if (this.#closed) throw new EngineStateError('CLOSED', 'the engine is closed');
    if (this.#node || this.#starting)
      throw new EngineStateError('ALREADY_STARTED', 'the Raft server is already running');
    this.#starting = this.#start(shouldBootstrapCluster);
    try {
      await this.#starting;
    } finally {
      this.#starting = undefined;
    }
  }

  async #start(bootstrap: boolean): Promise<void> {
    // Before any signing or aggregation: loads the WebAssembly backend where it can (async, once).
    await initBls({ backend: this.#options.blsBackend ?? 'auto' });
    const handler = this.#rpcHandler();
    if (bootstrap) {
      // Answer probes (as `probing`) before probing, so two bootstrappers always see each other.
      await this.#options.transport.serve(handler);
      try {
        const targets = await registeredProbeTargets(
          this.#options.chain,
          this.#options.callbacks,
          this.config.defaultQuorumNumbers,
        );
        await this.#guard.decide(this.#options.transport, targets, this.config.requestTimeoutMs);
      } catch (error) {
        this.#guard.reset();
        await this.#options.transport.close();
        throw error;
      }
    }
    const factory = this.#options.nodeFactory ?? raftNodeFactory;
    let node: ConsensusNode<ApplyOutcome>;
    try {
      node = await factory<ApplyOutcome>({
        id: this.id,
        storage: this.#options.storage,
        transport: this.#options.transport.raft,
        stateMachine: this,
        clock: this.#options.clock ?? systemClock,
        settings: Object.fromEntries(
          Object.entries(this.config.raft).filter(([, v]) => v !== undefined),
        ) as ConsensusSettings,
        ...(bootstrap ? { bootstrap: { voters: [this.id] } } : {}),
      });
    } finally {
      this.#guard.reset();
    }
    this.#node = node;
    this.#unsubscribe.push(
      node.on('leader-change', ({ leader, term }) => this.#onLeaderChange(leader, term)),
      node.on('conf-change', () => this.#peers.settle()),
      node.on('stopped', ({ error }) => {
        if (error !== undefined) this.#reportError(error, 'raft node stopped');
      }),
    );
    for (const m of this.#state.members()) if (m.id !== this.id) this.#options.transport.setPeer(m);
    await this.#options.transport.serve(handler);
    const st = node.status();
    if (st.leader !== '') this.#onLeaderChange(st.leader, st.term);
    this.#joins.autopilot.start();
    this.#stopFollowing ??= new RegistryFollower(this.#core, this.#joins, this.#options.callbacks).start();
  }

  /**
   * Joins a running cluster through any member (the original
   * `JoinExistingOperatorCluster`): signs an EIP-712 join request and sends it
   * to `joinHttpUrl`; the member forwards it to the leader. Starts the Raft
   * node first if needed.
   * @param latestBlock the latest block this operator knows (default: asked from the chain)
   * @throws JoinRefusedError with the reason; PeerCallError when no member answered
   */
  async joinExistingOperatorCluster(joinHttpUrl: string, latestBlock?: number): Promise<JoinResult> {
    if (!this.#node) await this.initializeRaftRpcServer(false);
    // A restarted member's configuration comes back as it re-applies its committed log: let it
    // (bounded) before deciding whether this node must join at all.
    const node = this.#requireNode();
    const { commit } = node.status();
    const deadline = this.#clock.now() + this.config.requestTimeoutMs;
    while (!this.#closed && node.status().applied < commit && this.#clock.now() < deadline) {
      await sleep(this.#clock, 10);
    }
    return joinCluster(
      {
        id: this.id,
        operatorId: this.operatorId,
        joinAuth: this.#options.joinAuth,
        isRegisteredOperator: async (address) => this.#options.callbacks.isValidOperator(address),
        config: this.config,
        clock: this.#clock,
        chain: this.#options.chain,
        transport: this.#options.transport,
        isClosed: () => this.#closed,
        isVoter: () => this.#node?.status().config.voters.includes(this.id) ?? false,
        seatsFull: () => (this.#node?.status().config.voters.length ?? 0) >= this.config.maxVoters,
        currentView: () => ({ leaderId: this.#node?.status().leader ?? '', members: this.#state.members() }),
        learnPeer: (id) => this.#peers.learnFromJoin(id),
      },
      joinHttpUrl,
      latestBlock,
    );
  }

  /**
   * Leader only: admits a registered operator directly (the original `Join`),
   * for operator tooling. The registry is still checked: `isValidOperator`
   * and its endpoints from `fetchOperatorUrl`.
   * @throws EngineNotLeaderError; JoinRefusedError (`UNREGISTERED`, `ALREADY_MEMBER`, `ENDPOINT_IN_USE`)
   */
  join(operatorId: string, address: string): Promise<JoinResult> {
    return this.#joins.admitDirectly(operatorId, address);
  }

  /** Stops the Raft node and the engine's work. The storage stays open (the caller owns it). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopFollowing?.();
    this.#joins.autopilot.close();
    this.#packer?.close();
    this.#worker.close();
    this.#leader.close();
    for (const u of this.#unsubscribe) u();
    this.#unsubscribe = [];
    await this.#options.transport.close();
    await this.#node?.close();
  }

  // ---- leadership ----

  /**
   * Whether this node leads (the original `IsLeader`), confirmed with a
   * ReadIndex round to a quorum: a deposed leader that has not noticed yet
   * answers false. Also returns the known leader's id and HTTP URL.
   */
  async isLeader(): Promise<LeaderInfo> {
    return confirmLeadership(this.#requireNode(), this.config.requestTimeoutMs, (id) =>
      this.#core.httpUrlOf(id),
    );
  }

  /**
   * Leader only: hands leadership to `target`, or to the next voter after this
   * one in address order (round-robin, so every voter leads in turn and
   * leadership never ping-pongs between two). When a target does not take
   * over within an election timeout the transfer is aborted and the next
   * voter is tried; this node leads meanwhile, so the cluster is never
   * without a leader for longer than an election timeout.
   */
  triggerElection(target?: string): Promise<ElectionResult> {
    const electionMs = (this.config.raft.electionTick ?? 10) * (this.config.raft.tickMs ?? 100);
    return rotateLeadership(this.#requireNode(), this.id, electionMs, target);
  }

  // ---- tasks ----

  /**
   * Leader only: puts a task request in the replicated log (the original
   * `LeaderSendTaskRequestToFollowers`). Every operator, this one included,
   * then answers, signs and sends its responses to the leader, which
   * aggregates and submits each task on-chain.
   * @param tasks the on-chain tasks the request answers (default: `callbacks.tasksOf(request)`)
   * @returns the request id and its task indexes
   * @throws EngineNotLeaderError; EngineError `INVALID_REQUEST`; TaskStateError when a task already exists
   */
  async leaderSendTaskRequestToFollowers(
    request: T,
    tasks?: readonly TaskSpec[],
  ): Promise<{ requestId: string; taskIndexes: number[] }> {
    const node = this.#requireNode();
    if (node.status().role !== 'leader')
      throw new EngineNotLeaderError(node.status().leader, 'leaderSendTaskRequestToFollowers');
    const parsed = this.#options.callbacks.requestSchema.safeParse(request);
    if (!parsed.success)
      throw new EngineError('INVALID_REQUEST', 'the task request does not match requestSchema');
    const specs = tasks ?? (await this.#options.callbacks.tasksOf?.(parsed.data));
    if (!specs || specs.length === 0) {
      throw new EngineError(
        'INVALID_REQUEST',
        'no on-chain tasks: pass tasks or implement callbacks.tasksOf',
      );
    }
    const { requestId, metas, taskIndexes } = taskRequestOf(
      specs,
      this.#clock.now(),
      this.config.taskTimeoutMs,
    );
    const entry = { requestId, request: parsed.data, tasks: metas };
    if (this.#packer?.isQueued(requestId, taskIndexes)) {
      throw new TaskStateError('DUPLICATE', `request ${requestId} or one of its tasks is already queued`);
    }
    const outcome = this.#packer?.fits(metas)
      ? await this.#packer.add(entry)
      : await this.#propose({ type: 'request.create', ...entry });
    if (!outcome.ok) throw new TaskStateError(outcome.code, outcome.message);
    return { requestId, taskIndexes };
  }

  /**
   * Signs `responses` to `request` and delivers them to the leader, with
   * retries (the original `SubmitTaskToLeader`). The engine does this by
   * itself for every request; call it to answer again or differently.
   * @throws EngineError `UNKNOWN_REQUEST` when the responses' tasks are not in the replicated state
   */
  async submitTaskToLeader(request: T, responses: readonly K[]): Promise<void> {
    const first = responses[0];
    if (first === undefined) throw new EngineError('INVALID_RESPONSE', 'no responses to submit');
    const { taskIndex } = await this.#process(first);
    const task = this.#state.task(taskIndex);
    if (!task) throw new EngineError('UNKNOWN_REQUEST', `task ${taskIndex} is not in the replicated state`);
    await this.#worker.submit(task.requestId, request, responses);
  }

  /** A task as replicated, or undefined. */
  task(taskIndex: number): TaskRecord | undefined {
    return this.#state.task(taskIndex);
  }

  /**
   * The Merkle proof of a batched task's response against its batch's root, once the batch is
   * aggregated (anyone can check it on-chain with `verifyBatchResponse`); undefined otherwise.
   */
  batchProof(taskIndex: number): BatchProof | undefined {
    return batchProofOf(this.#state, taskIndex);
  }

  /** Every task this node knows (final ones are kept up to a bound). */
  tasks(): TaskRecord[] {
    return this.#state.tasks();
  }

  // ---- membership ----

  /** A member's replicated metadata (operator id and URLs) as this node knows it. */
  member(id: string): MemberInfo | undefined {
    return this.#state.member(id.toLowerCase());
  }

  /** Leader only: removes members the registry no longer lists. @returns the removed ids */
  checkMembership(): Promise<string[]> {
    return this.#joins.checkMembership();
  }

  /** Leader only: removes an operator from the cluster. @throws EngineNotLeaderError */
  async removeOperator(address: string, reason = 'removed by the operator'): Promise<void> {
    const node = this.#requireNode();
    if (node.status().role !== 'leader')
      throw new EngineNotLeaderError(node.status().leader, 'removeOperator');
    await this.#joins.remove(address.toLowerCase(), reason);
  }

  /**
   * Leader only: one voter-autopilot round now (also run every `autopilotIntervalMs`); resolves
   * with the quorum-safe step taken (see the README, "Voters and learners"), or undefined.
   */
  reviewVoters(): Promise<VoterStep | undefined> {
    return this.#requireNode() && this.#joins.autopilot.runOnce();
  }

  /**
   * Whether `peer` may talk to this node: a member of the applied Raft configuration (voter,
   * learner, or outgoing voter of a joint configuration). Before this node has applied a
   * configuration containing itself (a joiner catching up), also the members its join answer named.
   */
  isPeerAllowed(peer: string): boolean {
    return this.#peers.isAllowed(peer);
  }

  /** The HTTP URL this engine serves (the original `GetHttpBindingUrl`). */
  getHttpBindingUrl(): string {
    return this.config.httpUrl;
  }

  status(): EngineStatus {
    return engineStatusOf({
      id: this.id,
      operatorId: this.operatorId,
      httpUrl: this.config.httpUrl,
      node: this.#node?.status(),
      closed: this.#closed,
      state: this.#state,
      pendingResponses: this.#worker.pendingCount,
      batching: this.#packer !== undefined,
      maxVoters: this.config.maxVoters,
      lastContactMs: this.#closed || !this.#node ? {} : this.#joins.autopilot.lastContactMs(),
    });
  }

  /** Subscribes to an event. @returns the unsubscribe function */
  on<E extends keyof EngineEventMap>(type: E, listener: (event: EngineEventMap[E]) => void): Unsubscribe {
    return this.#events.on(type, listener);
  }

  // ---- state machine (called by the Raft node) ----

  /** Applies committed entries to the task state; the work they imply runs afterwards, outside apply. */
  apply(entries: readonly Entry[]): ApplyOutcome[] {
    const outcomes = this.#state.apply(entries);
    queueMicrotask(() => this.#dispatch(this.#state.drainEvents()));
    return outcomes;
  }

  snapshot(): Uint8Array {
    return this.#state.snapshot();
  }

  restore(data: Uint8Array): void {
    this.#state.restore(data);
    queueMicrotask(() => {
      if (this.#closed) return;
      for (const m of this.#state.members()) if (m.id !== this.id) this.#options.transport.setPeer(m);
      this.#worker.resumeAll();
      this.#leader.resume();
    });
  }

  // ---- internals ----

  #requireNode(): ConsensusNode<ApplyOutcome> {
    if (this.#closed) throw new EngineStateError('CLOSED', 'the engine is closed');
    if (!this.#node) throw new EngineStateError('NOT_STARTED', 'call initializeRaftRpcServer first');
    return this.#node;
  }

  async #propose(command: TaskCommand): Promise<ApplyOutcome> {
    return this.#requireNode().propose(encodeTaskCommand(command));
  }

  #dispatch(events: TaskEvent[]): void {
    if (this.#closed) return;
    for (const e of events) {
      switch (e.type) {
        case 'request-created':
          this.#worker.onRequestCreated(e.request);
          this.#leader.onRequestCreated(e.request);
          break;
        case 'batch-created':
          this.#worker.onBatchCreated(e.batch);
          this.#leader.onBatchCreated(e.batch);
          break;
        case 'task-updated':
          this.#worker.onTaskUpdated();
          this.#leader.onTaskUpdated(e.task);
          this.#events.emit('task-updated', { task: e.task });
          if (e.task.status === 'submitted') this.#events.emit('task-completed', { task: e.task });
          break;
        case 'member-updated':
          if (e.member.id !== this.id) this.#options.transport.setPeer(e.member);
          break;
        case 'member-removed':
          if (e.id !== this.id) this.#options.transport.removePeer(e.id);
          break;
      }
    }
  }

  #onLeaderChange(leader: string, term: number): void {
    if (this.#closed || (leader === this.#lastLeader && term === this.#lastTerm)) return;
    this.#lastLeader = leader;
    this.#lastTerm = term;
    const isSelf = leader === this.id;
    // Requests still in the window were not proposed: their callers learn it and may resend.
    if (!isSelf) this.#packer?.drop(new EngineNotLeaderError(leader, 'leaderSendTaskRequestToFollowers'));
    this.#leader.onLeadershipChange(isSelf, term);
    // Learners a previous leader admitted but did not promote: the autopilot's first round sees them.
    if (isSelf) this.#joins.autopilot.nudge();
    this.#worker.onLeaderChange();
    if (isSelf) void this.#recordSelf(term);
    this.#events.emit('leader-change', { leaderId: leader, term, isSelf });
  }

  /** A leader makes sure its own metadata (URLs) is replicated, retrying while it leads this term. */
  async #recordSelf(term: number): Promise<void> {
    const { httpUrl, raftUrl, retryBaseMs, retryMaxMs } = this.config;
    for (let attempt = 1; !this.#closed && !this.#state.member(this.id); attempt++) {
      const st = this.#node?.status();
      if (st?.role !== 'leader' || st.term !== term) return;
      try {
        await this.#propose({
          type: 'member.upsert',
          member: { id: this.id, operatorId: this.operatorId, httpUrl, raftUrl },
        });
      } catch (error) {
        if (attempt === 3) this.#reportError(error, 'recording this node as a member');
        await sleep(this.#clock, backoffMs(attempt, retryBaseMs, retryMaxMs));
      }
    }
  }

  #rpcHandler(): EngineRpcHandler {
    return {
      submitResponses: (peer, body): Promise<SubmitResponsesResult> => {
        if (this.#closed) return Promise.reject(new EngineStateError('CLOSED', 'the engine is closed'));
        return this.#leader.acceptResponses(peer, body);
      },
      join: (body, forwardedBy) => this.#joins.handle(body, forwardedBy),
      isPeerAllowed: (peer) => this.isPeerAllowed(peer),
      probeCluster: (from) => {
        const conf = this.#node?.status().config;
        return this.#guard.answer(from, {
          member: conf !== undefined && conf.voters.length + conf.learners.length > 0,
          leaderId: this.#node?.status().leader ?? '',
          isMember: (id) => conf?.voters.includes(id) === true || conf?.learners.includes(id) === true,
        });
      },
      status: () => {
        const s = this.status();
        return {
          id: s.id,
          role: s.role,
          term: s.term,
          leaderId: s.leaderId,
          voters: s.voters,
          learners: s.learners,
        };
      },
    };
  }

  #reportError(error: unknown, context: string): void {
    this.#logger.warn(`engine: ${context}`, {
      error: error instanceof Error ? error.message : String(error),
    });
    this.#events.emit('error', { error, context });
  }
}

/**
 * Creates an engine (the original `NewAVSConcensusEngine`). Nothing runs until
 * `initializeRaftRpcServer` (or `joinExistingOperatorCluster`).
 * @throws EngineConfigError naming the bad field
 */
export function createTaskConsensusEngine<T, K>(
  options: TaskConsensusEngineOptions<T, K>,
): TaskConsensusEngine<T, K> {
  return new TaskConsensusEngine(options);
}
