/**
 * The faults the runner injects into a {@link ChaosCluster}, each with its
 * heal and a measured recovery: the time from the end of the fault (for a
 * crash: the crash itself, as the node stays down for a while) until every
 * running node agrees on one leader.
 */
import type { ChaosCluster } from './chaos-cluster.js';
import { callKv } from './workload.js';

/** Kinds of fault. */
export const FAULT_KINDS = [
  'kill-leader',
  'kill-random',
  'pause-leader',
  'partition-leader',
  'partition-one-way',
  'loss-delay',
  'slow-disk',
  'fsync-fail',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What happened during one fault. */
export interface FaultRecord {
  readonly kind: FaultKind;
  /** Nodes it hit. */
  readonly targets: readonly string[];
  /** Whether the cluster recovered a leader (and, for fsync-fail, the node stopped with exit 1). */
  readonly survived: boolean;
  /** Heal (or crash) → agreed leader, ms; undefined when it did not recover. */
  readonly recoveryMs?: number;
  readonly detail: string;
}

/** Timing of the faults. */
export interface FaultTiming {
  /** The election timeout (ticks × tick), ms. */
  readonly electionTimeoutMs: number;
  /** How long a partition, loss or slow disk lasts, ms. */
  readonly holdMs: number;
  /** How long to wait for a leader after a heal before calling it a failure, ms. */
  readonly recoveryTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function timeToLeader(
  cluster: ChaosCluster,
  from: number,
  timing: FaultTiming,
): Promise<number | undefined> {
  try {
    await cluster.kv.waitForLeader(timing.recoveryTimeoutMs, cluster.kv.running());
    return performance.now() - from;
  } catch {
    return undefined;
  }
}

/** Restarts every node that is down (after a crash or a failed fsync) and clears disk faults. */
export async function restoreAll(cluster: ChaosCluster): Promise<void> {
  cluster.healNetwork();
  for (const id of cluster.ids) cluster.setDisk(id, {});
  const running = new Set(cluster.kv.running());
  for (const id of cluster.ids) {
    if (running.has(id)) await cluster.kv.signal(id, 'SIGCONT');
    else await cluster.restart(id);
  }
}

/**
 * Injects one fault, holds it, heals it and measures the recovery.
 * @param cluster the cluster (all nodes running, a leader elected)
 * @param kind the fault
 * @param timing durations
 * @param random seeded [0, 1) source (which node)
 */
export async function injectFault(
  cluster: ChaosCluster,
  kind: FaultKind,
  timing: FaultTiming,
  random: () => number,
): Promise<FaultRecord> {
  const leader = await cluster.kv.waitForLeader(timing.recoveryTimeoutMs);
  const others = cluster.ids.filter((id) => id !== leader);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  switch (kind) {
    case 'kill-leader':
    case 'kill-random': {
      const target = kind === 'kill-leader' ? leader : pick(cluster.ids);
      const at = performance.now();
      await cluster.kv.kill(target);
      const recoveryMs = await timeToLeader(cluster, at, timing);
      await sleep(timing.holdMs);
      await cluster.restart(target);
      const back = await timeToLeader(cluster, performance.now(), timing);
      return record(
        kind,
        [target],
        recoveryMs,
        back !== undefined,
        `SIGKILL ${target}${target === leader ? ' (leader)' : ''}, restarted after ${timing.holdMs} ms`,
      );
    }
    case 'pause-leader': {
      const pauseMs = Math.max(timing.holdMs, 3 * timing.electionTimeoutMs);
      await cluster.kv.signal(leader, 'SIGSTOP');
      await sleep(pauseMs);
      await cluster.kv.signal(leader, 'SIGCONT');
      const recoveryMs = await timeToLeader(cluster, performance.now(), timing);
      return record(
        kind,
        [leader],
        recoveryMs,
        true,
        `SIGSTOP ${leader} (leader) for ${pauseMs} ms, then SIGCONT`,
      );
    }
    case 'partition-leader':
    case 'partition-one-way': {
      const oneWay = kind === 'partition-one-way';
      cluster.partition([leader], others, oneWay);
      await sleep(timing.holdMs);
      cluster.healNetwork();
      const recoveryMs = await timeToLeader(cluster, performance.now(), timing);
      const what = oneWay
        ? `traffic from ${leader} (leader) to the others lost for ${timing.holdMs} ms (the other way kept)`
        : `${leader} (leader) cut off both ways for ${timing.holdMs} ms`;
      return record(kind, [leader], recoveryMs, true, what);
    }
    case 'loss-delay': {
      cluster.setLinks(cluster.allLinks(), { lossRate: 0.05, delayMs: 20 });
      await sleep(timing.holdMs);
      cluster.healNetwork();
      const recoveryMs = await timeToLeader(cluster, performance.now(), timing);
      return record(
        kind,
        cluster.ids,
        recoveryMs,
        true,
        `every link: 5% of chunks lost (connection reset), 20 ms delay, for ${timing.holdMs} ms`,
      );
    }
    case 'slow-disk': {
      const delay = Math.round(timing.electionTimeoutMs / 2);
      for (const id of cluster.ids) cluster.setDisk(id, { syncDelayMs: id === leader ? delay * 2 : delay });
      await sleep(timing.holdMs);
      for (const id of cluster.ids) cluster.setDisk(id, {});
      const recoveryMs = await timeToLeader(cluster, performance.now(), timing);
      return record(
        kind,
        cluster.ids,
        recoveryMs,
        true,
        `every fsync delayed ${delay} ms (${delay * 2} ms on ${leader}, the leader) for ${timing.holdMs} ms`,
      );
    }
    case 'fsync-fail': {
      const pid = cluster.kv.pid(leader);
      cluster.setDisk(leader, { failSync: true });
      const end = performance.now() + timing.recoveryTimeoutMs;
      let probes = 0;
      while (cluster.kv.running().includes(leader) && performance.now() < end) {
        // Make sure the leader has something to fsync even when the workload is idle: a write to a key
        // outside the checked ones (keys are independent, so the history stays complete).
        if (probes++ % 10 === 0) {
          void callKv(
            cluster.kv.clientUrl(leader),
            'chaos-fsync-probe',
            { f: 'put', value: `p${probes}` },
            2_000,
          );
        }
        await sleep(20);
      }
      const stoppedAt = performance.now();
      const stopped = !cluster.kv.running().includes(leader);
      if (!stopped) await cluster.kv.kill(leader);
      const code = pid === undefined ? undefined : cluster.exits(leader).get(pid);
      const recoveryMs = await timeToLeader(cluster, stoppedAt, timing);
      cluster.setDisk(leader, {});
      await sleep(timing.holdMs);
      await cluster.restart(leader);
      const back = await timeToLeader(cluster, performance.now(), timing);
      const ok = stopped && code === 1 && back !== undefined;
      return record(
        kind,
        [leader],
        recoveryMs,
        ok,
        `fsync fails with EIO on ${leader} (leader): ${stopped ? `it exited with code ${code ?? 'unknown'}` : 'it did NOT stop (killed)'}; restarted from its data dir`,
      );
    }
  }
}

function record(
  kind: FaultKind,
  targets: readonly string[],
  recoveryMs: number | undefined,
  ok: boolean,
  detail: string,
): FaultRecord {
  return {
    kind,
    targets,
    survived: ok && recoveryMs !== undefined,
    ...(recoveryMs === undefined ? {} : { recoveryMs: Math.round(recoveryMs) }),
    detail,
  };
}
