/**
 * Where a kv leader's CPU goes: runs a fresh 3-process kv cluster with
 * `--cpu-prof`, drives writes at a fixed concurrency, stops the leader
 * cleanly (the profile is written on exit) and attributes the profile's
 * self time to packages and runtime parts. This is what backs the report's
 * "why" with a measurement instead of a guess.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvProcessCluster } from '@avs/kv-cluster';
import { runLoad } from './load-generator.js';
import { kvHttpTarget } from './targets.js';

/** One category of CPU time. */
export interface CpuShare {
  readonly category: string;
  readonly ms: number;
  /** Fraction of the busy (non-idle) time. */
  readonly share: number;
}

/** The leader's profile summary. */
export interface LeaderProfile {
  readonly inFlight: number;
  readonly durationMs: number;
  readonly writes: number;
  /** Profiled time minus idle time, ms (the whole process lifetime, startup included). */
  readonly busyMs: number;
  readonly categories: readonly CpuShare[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Names the part of the runtime or the package a frame belongs to. */
export function categorize(functionName: string, url: string): string | undefined {
  if (functionName === '(idle)') return undefined;
  if (functionName === '(garbage collector)') return 'V8 garbage collector';
  const pnpm = /\/node_modules\/\.pnpm\/((?:@[^+/]+\+)?[^@/]+)@/.exec(url);
  if (pnpm?.[1]) return pnpm[1].replace('+', '/');
  const workspace = /\/(packages|apps)\/([^/]+)\//.exec(url);
  if (workspace?.[2]) return `@avs/${workspace[2]}`;
  if (url.startsWith('node:internal/crypto') || url.startsWith('node:internal/webcrypto')) {
    return 'Node crypto (WebCrypto)';
  }
  if (url.startsWith('node:internal/deps/undici')) return 'Node built-in undici (fetch)';
  if (url.startsWith('node:')) return 'Node internals (http, net, streams, timers, modules)';
  if (url === '') return 'native code (socket writes, fsync, V8)';
  return 'other';
}

/** Sums a profile's self time by {@link categorize}. */
export function summarizeProfile(profile: CpuProfile): { busyMs: number; categories: CpuShare[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const category = frame ? categorize(frame.functionName, frame.url) : 'other';
    if (category === undefined) return;
    const us = profile.timeDeltas[i] ?? 0;
    busyUs += us;
    totals.set(category, (totals.get(category) ?? 0) + us);
  });
  const categories = [...totals.entries()]
    .map(([category, us]) => ({ category, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { busyMs: busyUs / 1000, categories };
}

/**
 * Profiles a kv leader under writes.
 * @throws when the cluster cannot start or the profile is not written
 */
export async function profileKvLeader(o: {
  readonly inFlight: number;
  readonly durationMs: number;
  readonly keySpace: number;
  readonly valueBytes: number;
  readonly log: (line: string) => void;
}): Promise<LeaderProfile> {
  const baseDir = mkdtempSync(join(tmpdir(), 'avs-bench-prof-'));
  const profDir = join(baseDir, 'profiles');
  const cluster = await KvProcessCluster.start({
    baseDir: join(baseDir, 'kv'),
    size: 3,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`],
  });
  try {
    const leader = await cluster.waitForLeader(60_000);
    const pid = cluster.pid(leader);
    o.log(
      `profiling kv leader ${leader} (pid ${pid}) for ${o.durationMs} ms of writes at ${o.inFlight} in flight`,
    );
    const target = kvHttpTarget(cluster.clientUrl(leader), {
      keySpace: o.keySpace,
      valueBytes: o.valueBytes,
      connections: o.inFlight,
    });
    const load = await runLoad((i) => target.put(i), {
      inFlight: o.inFlight,
      maxOps: 1_000_000,
      maxDurationMs: o.durationMs,
    });
    await target.close();
    const exit = await cluster.stop(leader);
    if (exit.code !== 0) throw new Error(`the profiled leader exited with ${exit.code ?? exit.signal}`);
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.`));
    if (!file) throw new Error(`no CPU profile for pid ${pid} in ${profDir}`);
    const summary = summarizeProfile(JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile);
    return { inFlight: o.inFlight, durationMs: o.durationMs, writes: load.ops, ...summary };
  } finally {
    await cluster.stopAll();
    rmSync(baseDir, { recursive: true, force: true });
  }
}
