/**
 * apps/kv against etcd, side by side in one run on the same machine: the
 * same load generator, the same workload (fixed-size values, 1/16/64/256 in
 * flight, writes to the leader, linearizable reads), interleaved per level so
 * background load hits every target alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_KV_ENTRY } from '@avs/kv';
import { KvProcessCluster } from '@avs/kv-cluster';
import { type EtcdCluster, ensureEtcd, startEtcdCluster } from './etcd-cluster.js';
import { type LeaderProfile, profileKvLeader } from './leader-profile.js';
import { type LoadResult, runLoad } from './load-generator.js';
import { type MachineInfo, machineInfo } from './machine.js';
import { totalCpuMs } from './process-cpu.js';
import {
  type BenchTarget,
  etcdGatewayTarget,
  etcdGrpcTarget,
  kvHttpTarget,
  type TargetName,
} from './targets.js';

/** Settings of one comparison run. */
export interface KvVsEtcdOptions {
  readonly levels: readonly number[];
  readonly maxOps: number;
  readonly maxDurationMs: number;
  readonly warmupOps: number;
  readonly keySpace: number;
  readonly valueBytes: number;
  /** Install etcd-server with apt-get when etcd is missing. */
  readonly installEtcd: boolean;
  readonly smoke: boolean;
  /** Length of the CPU-profiled write run of a kv leader, ms (0: no profile). */
  readonly profileMs: number;
  /** Which workloads to measure; default both. */
  readonly workloads?: readonly ('write' | 'read')[];
  /** Run kv from its TypeScript sources (tsx) instead of the built `dist/main.js`, for quick iterations. */
  readonly kvFromSource?: boolean;
  readonly log: (line: string) => void;
}

/** How {@link KvProcessCluster} runs kv from its sources (no build needed; tsx compiles at start). */
export const KV_SOURCE_LAUNCH = {
  entry: DEFAULT_KV_ENTRY.replace(/dist([\\/])main\.js$/, 'src$1main.ts'),
  nodeArgs: ['--conditions=@avs/source', '--import', 'tsx'],
} as const;

/** Full-run settings (minutes, bounded). */
export const FULL_OPTIONS: Omit<KvVsEtcdOptions, 'log'> = {
  levels: [1, 16, 64, 256],
  maxOps: 20_000,
  maxDurationMs: 8_000,
  warmupOps: 200,
  keySpace: 1_000,
  valueBytes: 256,
  installEtcd: true,
  smoke: false,
  profileMs: 10_000,
};

/** Smoke settings (seconds): same code paths, tiny counts. */
export const SMOKE_OPTIONS: Omit<KvVsEtcdOptions, 'log'> = {
  levels: [1, 16],
  maxOps: 40,
  maxDurationMs: 3_000,
  warmupOps: 4,
  keySpace: 16,
  valueBytes: 256,
  installEtcd: false,
  smoke: true,
  profileMs: 1_500,
};

/** One measured cell. */
export interface KvVsEtcdRow extends LoadResult {
  readonly target: TargetName;
  readonly workload: 'write' | 'read';
  /** CPU ms used by the target's three server processes, per successful operation. */
  readonly serverCpuMsPerOp: number | null;
}

/** kv against etcd's faster path at one level. */
export interface KvVsEtcdRatio {
  readonly workload: 'write' | 'read';
  readonly inFlight: number;
  /** The etcd API with more ops/s at this level. */
  readonly etcdFasterPath: TargetName;
  readonly kvOpsPerSec: number;
  readonly etcdOpsPerSec: number;
  /** kv ops/s ÷ etcd ops/s (higher is better for kv). */
  readonly throughputRatio: number;
  /** kv p50 ÷ etcd p50 (lower is better for kv). */
  readonly p50Ratio: number;
  readonly p99Ratio: number;
}

/** A goal of the issue, checked against this run. */
export interface GoalCheck {
  readonly goal: string;
  readonly target: number;
  readonly measured: number | null;
  readonly met: boolean | null;
}

/** Everything one run produced (written as bench-results/kv-vs-etcd.json). */
export interface KvVsEtcdResult {
  readonly benchmark: 'kv-vs-etcd';
  readonly date: string;
  readonly smoke: boolean;
  readonly machine: MachineInfo;
  readonly settings: Omit<KvVsEtcdOptions, 'log' | 'installEtcd' | 'smoke' | 'profileMs'>;
  readonly kv: {
    readonly storage: 'file';
    readonly fsync: true;
    readonly processes: 3;
    readonly tickMs: number;
  };
  readonly etcd: { readonly measured: boolean; readonly version?: string; readonly note?: string };
  readonly rows: readonly KvVsEtcdRow[];
  readonly ratios: readonly KvVsEtcdRatio[];
  readonly goals: readonly GoalCheck[];
  /** Where a kv leader's CPU went during a separate profiled write run (absent when not profiled). */
  readonly leaderProfile?: LeaderProfile | { readonly error: string };
  readonly loadAverage1mAtEnd: number;
}

function ratiosOf(rows: readonly KvVsEtcdRow[]): KvVsEtcdRatio[] {
  const out: KvVsEtcdRatio[] = [];
  for (const workload of ['write', 'read'] as const) {
    const kvRows = rows.filter((r) => r.target === 'kv-http' && r.workload === workload);
    for (const kv of kvRows) {
      const etcd = rows
        .filter(
          (r) => r.target !== 'kv-http' && r.workload === workload && r.inFlight === kv.inFlight && r.ops > 0,
        )
        .sort((a, b) => b.opsPerSec - a.opsPerSec)[0];
      if (!etcd) continue;
      out.push({
        workload,
        inFlight: kv.inFlight,
        etcdFasterPath: etcd.target,
        kvOpsPerSec: kv.opsPerSec,
        etcdOpsPerSec: etcd.opsPerSec,
        throughputRatio: etcd.opsPerSec > 0 ? kv.opsPerSec / etcd.opsPerSec : 0,
        p50Ratio: etcd.p50Ms > 0 ? kv.p50Ms / etcd.p50Ms : 0,
        p99Ratio: etcd.p99Ms > 0 ? kv.p99Ms / etcd.p99Ms : 0,
      });
    }
  }
  return out;
}

function goalsOf(ratios: readonly KvVsEtcdRatio[]): GoalCheck[] {
  const find = (workload: 'write' | 'read', inFlight: number) =>
    ratios.find((r) => r.workload === workload && r.inFlight === inFlight);
  const check = (
    goal: string,
    target: number,
    measured: number | undefined,
    atLeast: boolean,
  ): GoalCheck => ({
    goal,
    target,
    measured: measured ?? null,
    met: measured === undefined ? null : atLeast ? measured >= target : measured <= target,
  });
  return [
    check('write throughput at 64 in flight ≥ 1.0× etcd', 1, find('write', 64)?.throughputRatio, true),
    check('write throughput at 256 in flight ≥ 1.0× etcd', 1, find('write', 256)?.throughputRatio, true),
    check('#20: write throughput at 64 in flight ≥ 1.5× etcd', 1.5, find('write', 64)?.throughputRatio, true),
    check(
      '#20: write throughput at 256 in flight ≥ 1.5× etcd',
      1.5,
      find('write', 256)?.throughputRatio,
      true,
    ),
    check('#20: write p50 latency at 1 in flight ≤ 1.1× etcd', 1.1, find('write', 1)?.p50Ratio, false),
  ];
}

/**
 * Runs the comparison. Every process it starts is stopped before it returns or throws.
 * @throws when the kv cluster cannot start; etcd trouble is reported in the result instead
 */
export async function runKvVsEtcd(o: KvVsEtcdOptions): Promise<KvVsEtcdResult> {
  const machine = machineInfo();
  const baseDir = mkdtempSync(join(tmpdir(), 'avs-bench-'));
  const etcdInfo = ensureEtcd(o.installEtcd, o.log);
  let etcdNote: string | undefined = etcdInfo.available ? undefined : etcdInfo.reason;
  let kv: KvProcessCluster | undefined;
  let etcd: EtcdCluster | undefined;
  const targets: { target: BenchTarget; pids: () => number[] }[] = [];
  const rows: KvVsEtcdRow[] = [];
  const workload = { keySpace: o.keySpace, valueBytes: o.valueBytes, connections: Math.max(...o.levels) };
  try {
    o.log('starting 3 kv processes (file storage, fsync)');
    kv = await KvProcessCluster.start({
      baseDir: join(baseDir, 'kv'),
      size: 3,
      storage: 'file',
      ...(o.kvFromSource ? KV_SOURCE_LAUNCH : {}),
    });
    const kvCluster = kv;
    const kvLeader = await kv.waitForLeader(60_000);
    targets.push({
      target: kvHttpTarget(kv.clientUrl(kvLeader), workload),
      pids: () => kvCluster.members.map((m) => kvCluster.pid(m.id) ?? 0),
    });
    if (etcdInfo.available) {
      try {
        o.log(`starting 3 etcd members (etcd ${etcdInfo.version})`);
        etcd = await startEtcdCluster({ etcdPath: etcdInfo.path, baseDir: join(baseDir, 'etcd') });
        const leader = await etcd.leaderClientUrl();
        const pids = etcd.pids;
        targets.push({ target: etcdGatewayTarget(leader, workload), pids: () => [...pids] });
        targets.push({ target: etcdGrpcTarget(leader, workload), pids: () => [...pids] });
      } catch (error) {
        etcdNote = `etcd could not be measured: ${(error as Error).message}`;
        o.log(etcdNote);
      }
    } else {
      o.log(`NOTE: ${etcdNote}; measuring kv only`);
    }
    // Every key exists before reads start, on every target.
    for (const { target } of targets) {
      await runLoad((i) => target.put(i), { inFlight: 8, maxOps: o.keySpace, maxDurationMs: 120_000 });
    }
    for (const kind of o.workloads ?? (['write', 'read'] as const)) {
      for (const inFlight of o.levels) {
        for (const { target, pids } of targets) {
          const op = kind === 'write' ? (i: number) => target.put(i) : (i: number) => target.get(i);
          // Warm-up first, on its own: the CPU count covers exactly the measured operations.
          await runLoad(op, { inFlight, maxOps: o.warmupOps, maxDurationMs: o.maxDurationMs });
          const before = totalCpuMs(pids());
          const r = await runLoad(op, { inFlight, maxOps: o.maxOps, maxDurationMs: o.maxDurationMs });
          const cpu = totalCpuMs(pids()) - before;
          const row: KvVsEtcdRow = {
            ...r,
            target: target.name,
            workload: kind,
            serverCpuMsPerOp: r.ops > 0 && cpu > 0 ? cpu / r.ops : null,
          };
          rows.push(row);
          o.log(
            `${kind.padEnd(5)} ${String(inFlight).padStart(3)} in flight  ${target.name.padEnd(12)} ` +
              `${r.opsPerSec.toFixed(0).padStart(7)} ops/s  p50 ${r.p50Ms.toFixed(2).padStart(7)} ms  ` +
              `p99 ${r.p99Ms.toFixed(2).padStart(8)} ms  errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`,
          );
        }
      }
    }
  } finally {
    for (const { target } of targets) await target.close().catch(() => undefined);
    await kv?.stopAll();
    await etcd?.stop();
    rmSync(baseDir, { recursive: true, force: true });
  }
  let leaderProfile: LeaderProfile | { error: string } | undefined;
  if (o.profileMs > 0) {
    const inFlight = Math.min(64, Math.max(...o.levels));
    try {
      leaderProfile = await profileKvLeader({
        inFlight,
        durationMs: o.profileMs,
        keySpace: o.keySpace,
        valueBytes: o.valueBytes,
        log: o.log,
      });
    } catch (error) {
      leaderProfile = { error: (error as Error).message };
      o.log(`leader profile failed: ${leaderProfile.error}`);
    }
  }
  const ratios = ratiosOf(rows);
  const { loadAverage1m } = machineInfo();
  return {
    benchmark: 'kv-vs-etcd',
    date: new Date().toISOString(),
    smoke: o.smoke,
    machine,
    settings: {
      levels: o.levels,
      maxOps: o.maxOps,
      maxDurationMs: o.maxDurationMs,
      warmupOps: o.warmupOps,
      keySpace: o.keySpace,
      valueBytes: o.valueBytes,
    },
    kv: { storage: 'file', fsync: true, processes: 3, tickMs: 100 },
    etcd: {
      measured: rows.some((r) => r.target !== 'kv-http'),
      ...(etcdInfo.available ? { version: etcdInfo.version } : {}),
      ...(etcdNote ? { note: etcdNote } : {}),
    },
    rows,
    ratios,
    goals: goalsOf(ratios),
    ...(leaderProfile ? { leaderProfile } : {}),
    loadAverage1mAtEnd: loadAverage1m,
  };
}
