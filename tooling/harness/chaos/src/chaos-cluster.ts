/**
 * {@link ChaosCluster}: a {@link KvProcessCluster} of real kv processes on
 * 127.0.0.1 whose Raft traffic goes through one {@link FaultProxy} per
 * ordered pair of nodes, with a slow-disk / failed-fsync seam per node (see
 * `bin/kv-chaos-node.mjs`). Every pid it ever starts is remembered, so the
 * runner can prove at the end that no process was left behind.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KV_ENTRY } from '@avs/kv';
import { KvProcessCluster } from '@avs/kv-cluster';
import { findFreePortBlock, isAddressInUse } from '@avs/transport-http/node';
import { FaultProxy, type LinkFaults } from './fault-proxy.js';

/** The wrapper entry that sets up the test seams, then runs `avs-kv`. */
export const CHAOS_NODE_ENTRY = fileURLToPath(new URL('../bin/kv-chaos-node.mjs', import.meta.url));

/** Disk faults of one node. */
export interface DiskFaults {
  /** Every fsync/fdatasync waits this long first. */
  readonly syncDelayMs: number;
  /** Every fsync/fdatasync fails with EIO. */
  readonly failSync: boolean;
}

/** Options of {@link ChaosCluster.start}. */
export interface ChaosClusterOptions {
  readonly baseDir: string;
  readonly size: number;
  readonly tickMs: number;
  readonly electionTicks: number;
  /** Seeded source of [0, 1) numbers (proxy loss). */
  readonly random: () => number;
  /** More kv flags for every node. */
  readonly extraArgs?: readonly string[];
}

/** A kv cluster with per-link fault proxies and per-node disk faults. */
export class ChaosCluster {
  /** Every pid started, for the no-process-left-behind check. */
  readonly pids = new Set<number>();

  private constructor(
    readonly kv: KvProcessCluster,
    readonly ids: readonly string[],
    /** `proxies.get(from)?.get(to)`: the proxy of link from → to. */
    private readonly proxies: Map<string, Map<string, FaultProxy>>,
    private readonly baseDir: string,
  ) {
    this.recordPids();
  }

  /**
   * Starts the proxies, writes the topology and starts every node. Ports are checked free below the
   * ephemeral range, but another process can still take one before it is bound: a start that fails
   * with EADDRINUSE is retried on a fresh block of ports (up to 3 times) instead of failing the run.
   */
  static async start(options: ChaosClusterOptions): Promise<ChaosCluster> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ChaosCluster.startOnce(options);
      } catch (error) {
        if (!isAddressInUse(error) || attempt >= 3) throw error;
        // Its processes are stopped and proxies closed; a node may have created its data directory.
        for (let i = 1; i <= options.size; i++) {
          rmSync(join(options.baseDir, `n${i}`), { recursive: true, force: true });
        }
      }
    }
  }

  private static async startOnce(options: ChaosClusterOptions): Promise<ChaosCluster> {
    const { size, baseDir } = options;
    mkdirSync(join(baseDir, 'chaos-disk'), { recursive: true });
    // Node i (from 1) listens for peers on base+i (behind the proxies) and for clients on base+100+i.
    const offsets = Array.from({ length: size }, (_, i) => [1 + i, 101 + i]).flat();
    const basePort = await findFreePortBlock(offsets, options.random);
    const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    const peerPort = (i: number) => basePort + 1 + i;
    const proxies = new Map<string, Map<string, FaultProxy>>();
    const peers: Record<string, string> = {};
    try {
      for (const [i, from] of ids.entries()) {
        const out = new Map<string, FaultProxy>();
        proxies.set(from, out);
        const view: string[] = [];
        for (const [j, to] of ids.entries()) {
          if (i === j) {
            view.push(`${to}=http://127.0.0.1:${peerPort(j)}`);
            continue;
          }
          const proxy = await FaultProxy.start(peerPort(j), options.random);
          out.set(to, proxy);
          view.push(`${to}=http://127.0.0.1:${proxy.port}`);
        }
        peers[from] = view.join(',');
      }
      writeFileSync(
        join(baseDir, 'chaos-topology.json'),
        JSON.stringify({ kvEntry: DEFAULT_KV_ENTRY, peers }, null, 2),
      );
      const kv = await KvProcessCluster.start({
        baseDir,
        size,
        basePort,
        tickMs: options.tickMs,
        electionTicks: options.electionTicks,
        entry: CHAOS_NODE_ENTRY,
        ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
      });
      return new ChaosCluster(kv, ids, proxies, baseDir);
    } catch (error) {
      for (const out of proxies.values()) for (const p of out.values()) await p.close();
      throw error;
    }
  }

  private recordPids(): void {
    for (const id of this.kv.running()) {
      const pid = this.kv.pid(id);
      if (pid !== undefined) this.pids.add(pid);
    }
  }

  /** The proxy of link from → to. */
  link(from: string, to: string): FaultProxy {
    const p = this.proxies.get(from)?.get(to);
    if (!p) throw new Error(`no link ${from} -> ${to}`);
    return p;
  }

  /** Applies `faults` to the links from → to for every pair given. */
  setLinks(pairs: readonly (readonly [string, string])[], faults: Partial<LinkFaults>): void {
    for (const [from, to] of pairs) this.link(from, to).set(faults);
  }

  /** Cuts every link between the two groups, both ways (or only `a` → `b` when `oneWay`). */
  partition(a: readonly string[], b: readonly string[], oneWay = false): void {
    for (const x of a) {
      for (const y of b) {
        this.link(x, y).set({ blocked: true });
        if (!oneWay) this.link(y, x).set({ blocked: true });
      }
    }
  }

  /** Every ordered pair of distinct nodes. */
  allLinks(): [string, string][] {
    return this.ids.flatMap((a) => this.ids.filter((b) => b !== a).map((b): [string, string] => [a, b]));
  }

  /** Heals every link. */
  healNetwork(): void {
    for (const out of this.proxies.values()) for (const p of out.values()) p.heal();
  }

  /** Sets node `id`'s disk faults (read by the node within ~50 ms). */
  setDisk(id: string, faults: Partial<DiskFaults>): void {
    writeFileSync(
      join(this.baseDir, 'chaos-disk', `${id}.json`),
      JSON.stringify({ syncDelayMs: 0, failSync: false, ...faults }),
    );
  }

  /** Restarts node `id` from its data directory and records its pid. */
  async restart(id: string): Promise<void> {
    await this.kv.startNode(id);
    this.recordPids();
  }

  /** Exit codes node `id`'s processes reported themselves (pid → code). */
  exits(id: string): Map<number, number> {
    const file = join(this.baseDir, `${id}.exit`);
    const out = new Map<number, number>();
    if (!existsSync(file)) return out;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const [pid, code] = line.trim().split(' ').map(Number);
      if (pid !== undefined && code !== undefined && Number.isFinite(pid)) out.set(pid, code);
    }
    return out;
  }

  /** Pids started by this cluster that still exist. */
  survivors(): number[] {
    return [...this.pids].filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Kills every node and closes every proxy. Idempotent. */
  async stop(): Promise<void> {
    await this.kv.stopAll();
    for (const out of this.proxies.values()) for (const p of out.values()) await p.close();
  }
}
