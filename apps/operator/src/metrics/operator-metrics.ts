/**
 * The operator's Prometheus metrics (prom-client), named per EigenLayer's AVS
 * node specification: `eigen_*` only for the metrics the spec defines
 * (performance score, RPC requests), everything else under `avs_raft_*`.
 * Gauges that mirror state (term, commit, transport counters) are read at
 * scrape time, so nothing has to remember to update them.
 */
import type { EngineStatus, TaskRecord } from '@avs/engine';
import type { TransportMetrics } from '@avs/transport-http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds buckets for per-hop task latencies (10 ms … 60 s). */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds buckets for durable writes (0.1 ms … 1 s). */
const FSYNC_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** Where the scrape-time gauges read from. */
export interface MetricsSources {
  readonly status: () => EngineStatus;
  readonly transport: TransportMetrics;
}

/** Registry plus the instruments the operator updates as things happen. */
export class OperatorMetrics {
  readonly registry = new Registry();
  readonly #sources: MetricsSources;
  readonly #firstSeen = new Map<number, number>();
  readonly #seenStatus = new Map<number, string>();
  readonly #now: () => number;

  readonly leaderChanges: Counter;
  readonly proposals: Counter<'outcome'>;
  readonly fsyncSeconds: Histogram;
  readonly tasks: Counter<'stage'>;
  readonly hopSeconds: Histogram<'hop'>;
  readonly gasUsed: Counter;
  readonly rpcSeconds: Histogram<'method' | 'client_version'>;
  readonly rpcRequests: Counter<'method' | 'client_version'>;
  readonly performanceScore: Gauge;

  constructor(sources: MetricsSources, options: { avsName: string; now?: () => number }) {
    this.#sources = sources;
    this.#now = options.now ?? Date.now;
    const r = [this.registry];
    this.registry.setDefaultLabels({ avs_name: options.avsName });
    collectDefaultMetrics({ register: this.registry, prefix: 'avs_raft_process_' });

    const status = () => sources.status();
    new Gauge({
      name: 'avs_raft_term',
      help: 'Current Raft term',
      registers: r,
      collect() {
        this.set(status().term);
      },
    });
    new Gauge({
      name: 'avs_raft_commit_index',
      help: 'Highest log index known committed',
      registers: r,
      collect() {
        this.set(status().commit);
      },
    });
    new Gauge({
      name: 'avs_raft_applied_index',
      help: 'Highest log index applied to the task state machine',
      registers: r,
      collect() {
        this.set(status().applied);
      },
    });
    new Gauge({
      name: 'avs_raft_apply_lag',
      help: 'Committed entries not yet applied (commit - applied)',
      registers: r,
      collect() {
        const s = status();
        this.set(Math.max(0, s.commit - s.applied));
      },
    });
    new Gauge({
      name: 'avs_raft_is_leader',
      help: '1 while this operator leads the cluster',
      registers: r,
      collect() {
        this.set(status().role === 'leader' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'avs_raft_members',
      help: 'Members of the applied configuration, by role',
      labelNames: ['role'],
      registers: r,
      collect() {
        const s = status();
        this.set({ role: 'voter' }, s.voters.length);
        this.set({ role: 'learner' }, s.learners.length);
      },
    });
    new Gauge({
      name: 'avs_raft_member_last_contact_seconds',
      help: 'On the leader: seconds since it last heard from each member (alert well before engine.voterUnreachableMs)',
      labelNames: ['member'],
      registers: r,
      collect() {
        // Members come and go: only the current ones are reported.
        this.reset();
        for (const [member, ms] of Object.entries(status().lastContactMs)) this.set({ member }, ms / 1_000);
      },
    });
    new Gauge({
      name: 'avs_raft_tasks_open',
      help: 'Tasks in the replicated state, by status',
      labelNames: ['status'],
      registers: r,
      collect() {
        this.reset();
        for (const [key, n] of Object.entries(status().tasks)) this.set({ status: key }, n);
      },
    });
    this.leaderChanges = new Counter({
      name: 'avs_raft_leader_changes_total',
      help: 'Times the known leader changed',
      registers: r,
    });
    this.proposals = new Counter({
      name: 'avs_raft_proposals_total',
      help: 'Entries this operator proposed, by outcome (ok, failed)',
      labelNames: ['outcome'],
      registers: r,
    });
    this.fsyncSeconds = new Histogram({
      name: 'avs_raft_storage_save_duration_seconds',
      help: 'Duration of durable log writes (append + fsync) of the Raft storage',
      buckets: FSYNC_BUCKETS,
      registers: r,
    });
    this.tasks = new Counter({
      name: 'avs_raft_tasks_total',
      help: 'Tasks by stage reached on this operator: received, signed, refused, aggregated, submitted, expired, failed',
      labelNames: ['stage'],
      registers: r,
    });
    this.hopSeconds = new Histogram({
      name: 'avs_raft_task_hop_duration_seconds',
      help: 'Latency of each hop of a task on this operator: received_to_signed, seen_to_aggregated, aggregated_to_submitted',
      labelNames: ['hop'],
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.gasUsed = new Counter({
      name: 'avs_raft_gas_used_total',
      help: 'Gas used by the response transactions this operator submitted',
      registers: r,
    });
    this.rpcSeconds = new Histogram({
      name: 'eigen_rpc_request_duration_seconds',
      help: 'Duration of JSON-RPC requests to the Ethereum node',
      labelNames: ['method', 'client_version'],
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.rpcRequests = new Counter({
      name: 'eigen_rpc_request_total',
      help: 'JSON-RPC requests to the Ethereum node',
      labelNames: ['method', 'client_version'],
      registers: r,
    });
    this.performanceScore = new Gauge({
      name: 'eigen_performance_score',
      help: 'Health score 0-100: 100 in a cluster with a leader, 50 without one, 0 when stopped',
      registers: r,
      collect() {
        const s = status();
        this.set(s.closed || !s.started ? 0 : s.leaderId ? 100 : 50);
      },
    });
    this.#transportMetrics(r);
  }

  #transportMetrics(r: Registry[]): void {
    const t = this.#sources.transport;
    const counterOf = (name: string, help: string, labelNames: string[], read: (c: Gauge) => void) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers: r,
        collect() {
          read(this);
        },
      });
    counterOf(
      'avs_raft_transport_messages',
      'Raft messages sent and received (cumulative)',
      ['direction'],
      (g) => {
        g.set({ direction: 'sent' }, t.sent.messages);
        g.set({ direction: 'received' }, t.received.messages);
      },
    );
    counterOf(
      'avs_raft_transport_bytes',
      'Raft payload bytes sent and received (cumulative)',
      ['direction'],
      (g) => {
        g.set({ direction: 'sent' }, t.sent.bytes);
        g.set({ direction: 'received' }, t.received.bytes);
      },
    );
    counterOf(
      'avs_raft_transport_dropped',
      'Raft messages dropped (cumulative), by reason',
      ['reason'],
      (g) => {
        g.set({ reason: 'queue_full' }, t.dropped.queueFull);
        g.set({ reason: 'send_failed' }, t.dropped.sendFailed);
        g.set({ reason: 'unknown_peer' }, t.dropped.unknownPeer);
      },
    );
    counterOf(
      'avs_raft_transport_rejected',
      'Requests refused by the Raft server (cumulative), by code',
      ['code'],
      (g) => {
        for (const [code, n] of Object.entries(t.rejected)) g.set({ code }, n);
      },
    );
    counterOf(
      'avs_raft_transport_handshakes',
      'Peer handshakes (cumulative), by outcome',
      ['outcome'],
      (g) => {
        g.set({ outcome: 'accepted' }, t.handshakes.accepted);
        g.set({ outcome: 'initiated' }, t.handshakes.initiated);
        g.set({ outcome: 'failed' }, t.handshakes.failed);
      },
    );
    counterOf('avs_raft_transport_retries', 'Batch send retries (cumulative)', [], (g) => g.set(t.retries));
    counterOf('avs_raft_transport_streams_open', 'Incoming peer streams open now', [], (g) =>
      g.set(t.streams.opened - t.streams.closed),
    );
  }

  /** A request reached this operator's `onTaskRequest` for `taskIndexes`. */
  received(taskIndexes: readonly number[]): () => void {
    const start = this.#now();
    for (const i of taskIndexes) if (!this.#firstSeen.has(i)) this.#remember(i, start);
    this.tasks.inc({ stage: 'received' }, taskIndexes.length);
    return () => {
      this.tasks.inc({ stage: 'signed' }, taskIndexes.length);
      this.hopSeconds.observe({ hop: 'received_to_signed' }, (this.#now() - start) / 1000);
    };
  }

  /** A task record changed on this operator (any node sees every replicated change). */
  taskUpdated(task: TaskRecord): void {
    const previous = this.#seenStatus.get(task.taskIndex);
    if (previous === task.status) return;
    const now = this.#now();
    if (!this.#firstSeen.has(task.taskIndex)) this.#remember(task.taskIndex, now);
    this.#seenStatus.set(task.taskIndex, task.status);
    const since = (now - (this.#firstSeen.get(task.taskIndex) ?? now)) / 1000;
    switch (task.status) {
      case 'aggregated':
        this.tasks.inc({ stage: 'aggregated' });
        this.hopSeconds.observe({ hop: 'seen_to_aggregated' }, since);
        this.#firstSeen.set(task.taskIndex, now);
        break;
      case 'submitted':
        this.tasks.inc({ stage: 'submitted' });
        if (previous === 'aggregated') this.hopSeconds.observe({ hop: 'aggregated_to_submitted' }, since);
        this.#forget(task.taskIndex);
        break;
      case 'expired':
      case 'failed':
        this.tasks.inc({ stage: task.status });
        this.#forget(task.taskIndex);
        break;
    }
  }

  /** Times one durable storage write. */
  async timeSave(save: () => Promise<void>): Promise<void> {
    const end = this.fsyncSeconds.startTimer();
    try {
      await save();
    } finally {
      end();
    }
  }

  /** The text Prometheus scrapes. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  #remember(taskIndex: number, at: number): void {
    this.#firstSeen.set(taskIndex, at);
    // Bounded: a task never seen to finish here (e.g. this node restarted) is forgotten eventually.
    if (this.#firstSeen.size > 10_000) {
      const oldest = this.#firstSeen.keys().next().value as number;
      this.#forget(oldest);
    }
  }

  #forget(taskIndex: number): void {
    this.#firstSeen.delete(taskIndex);
    this.#seenStatus.delete(taskIndex);
  }
}
