/**
 * What the devnet knows, for the terminal and the dashboard: each operator's
 * view, the leader history, and every task from creation to on-chain
 * verification.
 */
import { percentile } from './latency.js';

export interface OperatorView {
  readonly name: string;
  readonly address: string;
  readonly url: string;
  readonly pid: number | undefined;
  readonly up: boolean;
  readonly role: string;
  readonly term: number;
  readonly leaderId: string;
  readonly commit: number;
  readonly applied: number;
  readonly restarts: number;
}

export type DevnetTaskStatus = 'created' | 'sent' | 'aggregated' | 'verified' | 'expired' | 'failed';

export interface DevnetTask {
  readonly taskIndex: number;
  readonly kind: 'square' | 'price';
  readonly label: string;
  status: DevnetTaskStatus;
  readonly createdAtMs: number;
  /** Signers and signed stake, from the leader's replicated record. */
  signers?: number;
  signedStake?: string;
  txHash?: string;
  result?: string;
  verifiedAtMs?: number;
  /** Request to on-chain verification. */
  latencyMs?: number;
  /** When the leader had a quorum aggregate (its replicated `aggregatedAtMs`), before the on-chain transaction. */
  aggregatedAtMs?: number;
  /** Request to aggregate. */
  aggregateLatencyMs?: number;
}

export interface LeaderChange {
  readonly atMs: number;
  readonly leader: string;
  readonly term: number;
}

/** One snapshot of the whole devnet, sent to the dashboard. */
export interface DevnetSnapshot {
  readonly startedAtMs: number;
  readonly nowMs: number;
  readonly rpcUrl: string;
  readonly operators: readonly OperatorView[];
  readonly leaders: readonly LeaderChange[];
  readonly tasks: readonly DevnetTask[];
  /** `answered`: the leader aggregated enough signatures (the response is ready for the chain). */
  readonly totals: { created: number; answered: number; verified: number; expired: number; failed: number };
  /** Request to on-chain verification, over the tracked verified tasks. */
  readonly latency: { p50: number; p99: number };
  /** Request to the leader's aggregate (before the on-chain transaction), over the tracked tasks seen aggregated. */
  readonly aggregateLatency: { p50: number; p99: number; samples: number };
  /** Verified tasks per second over the last 10 s. */
  readonly throughput: number;
  /** [seconds since start, latency ms] of recent verified tasks. */
  readonly latencySeries: readonly (readonly [number, number])[];
  /** [seconds since start, verified in that second]. */
  readonly throughputSeries: readonly (readonly [number, number])[];
  readonly events: readonly string[];
}

/** Tasks tracked at most: a minute at 300 tasks/s, so a task verified late under load still counts. */
const MAX_TASKS = 20_000;

/** The devnet's model; mutated by the orchestrator, read by the views. */
export class DevnetState {
  readonly startedAtMs = Date.now();
  operators: OperatorView[] = [];
  readonly leaders: LeaderChange[] = [];
  readonly #tasks = new Map<number, DevnetTask>();
  readonly #events: string[] = [];
  totals = { created: 0, answered: 0, verified: 0, expired: 0, failed: 0 };
  readonly #answered = new Set<number>();

  constructor(readonly rpcUrl: string) {}

  event(line: string): void {
    const stamp = new Date().toISOString().slice(11, 19);
    this.#events.push(`${stamp} ${line}`);
    if (this.#events.length > 100) this.#events.shift();
  }

  setOperators(views: OperatorView[]): void {
    this.operators = views;
    const leader = views.find((v) => v.up && v.role === 'leader');
    const last = this.leaders.at(-1);
    if (leader && (last?.leader !== leader.name || last.term !== leader.term)) {
      this.leaders.push({ atMs: Date.now(), leader: leader.name, term: leader.term });
      this.event(`leader is ${leader.name} (term ${leader.term})`);
    }
  }

  addTask(task: DevnetTask): void {
    this.#tasks.set(task.taskIndex, task);
    this.totals.created += 1;
    if (this.#tasks.size > MAX_TASKS) {
      const oldest = this.#tasks.keys().next().value;
      if (oldest !== undefined) this.#tasks.delete(oldest);
    }
  }

  /** Tracked tasks created or handed to the leader and not yet aggregated, verified or final. */
  outstanding(): number {
    let n = 0;
    for (const t of this.#tasks.values()) if (t.status === 'created' || t.status === 'sent') n += 1;
    return n;
  }

  task(taskIndex: number): DevnetTask | undefined {
    return this.#tasks.get(taskIndex);
  }

  markVerified(taskIndex: number, txHash: string, result: string): void {
    const task = this.#tasks.get(taskIndex);
    if (!task || task.status === 'verified') return;
    task.status = 'verified';
    task.txHash = txHash;
    task.result = result;
    task.verifiedAtMs = Date.now();
    task.latencyMs = task.verifiedAtMs - task.createdAtMs;
    this.totals.verified += 1;
    this.markAnswered(taskIndex);
  }

  /**
   * The leader had an aggregate above the threshold at `atMs` (its wall clock; the devnet's
   * processes share this machine's clock). Counts the task as answered.
   */
  markAggregated(taskIndex: number, atMs: number): void {
    const task = this.#tasks.get(taskIndex);
    if (task && (task.status === 'created' || task.status === 'sent')) task.status = 'aggregated';
    if (task && task.aggregatedAtMs === undefined) {
      task.aggregatedAtMs = atMs;
      task.aggregateLatencyMs = Math.max(0, atMs - task.createdAtMs);
    }
    this.markAnswered(taskIndex);
  }

  /** The leader has an aggregate above the threshold for this task. */
  markAnswered(taskIndex: number): void {
    if (this.#answered.has(taskIndex) || !this.#tasks.has(taskIndex)) return;
    this.#answered.add(taskIndex);
    this.totals.answered += 1;
  }

  markFinal(taskIndex: number, status: 'expired' | 'failed'): void {
    const task = this.#tasks.get(taskIndex);
    if (!task || task.status === 'verified' || task.status === status) return;
    task.status = status;
    this.totals[status] += 1;
  }

  /**
   * Request → verified and request → aggregate percentiles over the tracked tasks created at or
   * after `fromMs` (a benchmark's measured window, without its warm-up).
   */
  latencySince(fromMs: number): {
    verified: { p50: number; p99: number; samples: number };
    aggregate: { p50: number; p99: number; samples: number };
  } {
    const verified: number[] = [];
    const aggregate: number[] = [];
    for (const t of this.#tasks.values()) {
      if (t.createdAtMs < fromMs) continue;
      if (t.latencyMs !== undefined) verified.push(t.latencyMs);
      if (t.aggregateLatencyMs !== undefined) aggregate.push(t.aggregateLatencyMs);
    }
    const of = (xs: number[]) => ({ p50: percentile(xs, 50), p99: percentile(xs, 99), samples: xs.length });
    return { verified: of(verified), aggregate: of(aggregate) };
  }

  snapshot(): DevnetSnapshot {
    const now = Date.now();
    const tasks = [...this.#tasks.values()];
    const verified = tasks.filter((t) => t.latencyMs !== undefined);
    const latencies = verified.map((t) => t.latencyMs!);
    const toAggregate = tasks.flatMap((t) =>
      t.aggregateLatencyMs === undefined ? [] : [t.aggregateLatencyMs],
    );
    const perSecond = new Map<number, number>();
    for (const t of verified) {
      const s = Math.floor((t.verifiedAtMs! - this.startedAtMs) / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    const nowS = Math.floor((now - this.startedAtMs) / 1000);
    const throughputSeries: [number, number][] = [];
    for (let s = Math.max(0, nowS - 120); s < nowS; s++) throughputSeries.push([s, perSecond.get(s) ?? 0]);
    const recent = verified.filter((t) => now - t.verifiedAtMs! < 10_000).length;
    return {
      startedAtMs: this.startedAtMs,
      nowMs: now,
      rpcUrl: this.rpcUrl,
      operators: this.operators,
      leaders: this.leaders.slice(-20),
      // The newest tasks, plus the newest verified ones (under load the newest may all still be in flight).
      tasks: [...new Set([...tasks.slice(-30), ...verified.slice(-20)])].sort(
        (a, b) => b.taskIndex - a.taskIndex,
      ),
      totals: { ...this.totals },
      latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      aggregateLatency: {
        p50: percentile(toAggregate, 50),
        p99: percentile(toAggregate, 99),
        samples: toAggregate.length,
      },
      throughput: recent / 10,
      latencySeries: verified
        .slice(-200)
        .map((t) => [(t.verifiedAtMs! - this.startedAtMs) / 1000, t.latencyMs!] as const),
      throughputSeries,
      events: this.#events.slice(-30),
    };
  }
}
