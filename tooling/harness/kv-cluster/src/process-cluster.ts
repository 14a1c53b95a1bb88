/**
 * {@link KvProcessCluster}: runs kv as real OS processes on 127.0.0.1 (one
 * data directory per node), for the multi-process tests, the benchmarks and
 * the chaos suite. It can SIGKILL, SIGSTOP/SIGCONT, stop (SIGTERM) and
 * restart any node from its data directory, and stops every process it
 * started in {@link KvProcessCluster.stopAll}.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_KV_ENTRY, type KvNodeStatus, type MemberInfo, type StorageBackend } from '@avs/kv';
import { findFreePort, isAddressInUse } from '@avs/transport-http/node';
import { KvClusterError } from './errors.js';

/** Options of {@link KvProcessCluster.start}. */
export interface KvProcessClusterOptions {
  /** Node ids, default `n1..n<size>`. */
  readonly size?: number;
  /** Parent of the nodes' data directories and log files. */
  readonly baseDir: string;
  /**
   * Fixed ports: node i (from 1) gets peer port `basePort + i` and client port
   * `basePort + 100 + i`. Default: free ports picked at start.
   */
  readonly basePort?: number;
  readonly storage?: StorageBackend;
  /** Raft tick (ms) and election timeout (ticks); defaults of the server. */
  readonly tickMs?: number;
  readonly electionTicks?: number;
  /** More flags for every node. */
  readonly extraArgs?: readonly string[];
  /** The server entry; default @avs/kv's built `dist/main.js` ({@link DEFAULT_KV_ENTRY}). */
  readonly entry?: string;
  /** Flags for node itself, e.g. `['--conditions=@avs/source', '--import', 'tsx']` to run from sources. */
  readonly nodeArgs?: readonly string[];
  /** How long to wait for a node's `ready` line. Default 60 s. */
  readonly readyTimeoutMs?: number;
}

/** Why a process ended. */
export interface KvExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<KvExit>;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-3).join(' | ').slice(-1500);
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A kv cluster of real processes. */
export class KvProcessCluster {
  private readonly procs = new Map<string, Proc>();
  /** Hex cluster secret shared by the nodes (passed as AVS_KV_SECRET). */
  readonly secret = randomBytes(32).toString('hex');

  private constructor(
    private readonly options: KvProcessClusterOptions,
    /** Members and their URLs. */
    readonly members: readonly MemberInfo[],
  ) {}

  /** Picks ports, starts every node and waits for their `ready` lines. */
  static async start(options: KvProcessClusterOptions): Promise<KvProcessCluster> {
    const size = options.size ?? 3;
    // With picked ports, another process may still grab one first: try again with fresh ports.
    for (let attempt = 1; ; attempt++) {
      const taken = new Set<number>();
      const members: MemberInfo[] = [];
      for (let i = 1; i <= size; i++) {
        const peerPort = options.basePort ? options.basePort + i : await findFreePort(taken);
        const clientPort = options.basePort ? options.basePort + 100 + i : await findFreePort(taken);
        members.push({
          id: `n${i}`,
          peerUrl: `http://127.0.0.1:${peerPort}`,
          clientUrl: `http://127.0.0.1:${clientPort}`,
        });
      }
      const cluster = new KvProcessCluster(options, members);
      try {
        await Promise.all(members.map((m) => cluster.startNode(m.id)));
        return cluster;
      } catch (error) {
        await cluster.stopAll();
        const portClash = isAddressInUse(error);
        if (!portClash || options.basePort !== undefined || attempt >= 3) throw error;
        for (const m of members) rmSync(cluster.dataDir(m.id), { recursive: true, force: true });
      }
    }
  }

  /** The flags node `id` is started with. */
  args(id: string): string[] {
    const o = this.options;
    return [
      '--id',
      id,
      '--peers',
      this.members.map((m) => `${m.id}=${m.peerUrl}`).join(','),
      '--clients',
      this.members.map((m) => `${m.id}=${m.clientUrl}`).join(','),
      '--data-dir',
      this.dataDir(id),
      '--storage',
      o.storage ?? 'file',
      ...(o.tickMs ? ['--tick-ms', String(o.tickMs)] : []),
      ...(o.electionTicks ? ['--election-ticks', String(o.electionTicks)] : []),
      ...(o.extraArgs ?? []),
    ];
  }

  /** Node `id`'s data directory. */
  dataDir(id: string): string {
    return join(this.options.baseDir, id);
  }

  /** Node `id`'s client URL. */
  clientUrl(id: string): string {
    const m = this.members.find((x) => x.id === id);
    if (!m) throw new KvClusterError('UNKNOWN_NODE', `no node ${id} in this cluster`);
    return m.clientUrl;
  }

  /** Ids of nodes whose process is running (or paused). */
  running(): string[] {
    return [...this.procs.keys()];
  }

  /** The process id of node `id`, if running. */
  pid(id: string): number | undefined {
    return this.procs.get(id)?.child.pid;
  }

  /**
   * Starts (or restarts, from its data directory) node `id` and waits for its `ready` line.
   * @throws KvClusterError `NODE_FAILED` when it exits or does not get ready in time (its log file is named)
   */
  async startNode(id: string): Promise<void> {
    if (this.procs.has(id)) throw new KvClusterError('NODE_RUNNING', `${id} is already running`);
    this.clientUrl(id);
    mkdirSync(this.options.baseDir, { recursive: true });
    const logPath = join(this.options.baseDir, `${id}.log`);
    const log = createWriteStream(logPath, { flags: 'a' });
    const child = spawn(
      process.execPath,
      [...(this.options.nodeArgs ?? []), this.options.entry ?? DEFAULT_KV_ENTRY, ...this.args(id)],
      { env: { ...process.env, AVS_KV_SECRET: this.secret }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<KvExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    this.procs.set(id, { child, exited });
    void exited.then(() => {
      if (this.procs.get(id)?.child === child) this.procs.delete(id);
      log.end();
    });
    child.stderr?.pipe(log, { end: false });
    const ready = new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        if (buffer.includes('"event":"ready"')) resolve();
      });
      void exited.then((e) =>
        reject(
          new KvClusterError(
            'NODE_FAILED',
            `${id} exited (${e.code ?? e.signal}) before it was ready; its log ${logPath} ends with: ${logTail(logPath)}`,
          ),
        ),
      );
    });
    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KvClusterError('NODE_FAILED', `${id} was not ready within ${timeoutMs} ms; see ${logPath}`),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` to node `id` (SIGKILL, SIGSTOP, SIGCONT, ...). SIGKILL waits for the exit. */
  async signal(id: string, signal: NodeJS.Signals): Promise<void> {
    const p = this.procs.get(id);
    if (!p) throw new KvClusterError('NODE_NOT_RUNNING', `${id} is not running`);
    p.child.kill(signal);
    if (signal === 'SIGKILL') await p.exited;
  }

  /** SIGKILLs node `id` and waits until it is gone. */
  kill(id: string): Promise<void> {
    return this.signal(id, 'SIGKILL');
  }

  /**
   * Stops node `id` with SIGTERM (a clean shutdown) and returns how it exited;
   * SIGKILLs it after `graceMs`.
   */
  async stop(id: string, graceMs = 20_000): Promise<KvExit> {
    const p = this.procs.get(id);
    if (!p) throw new KvClusterError('NODE_NOT_RUNNING', `${id} is not running`);
    p.child.kill('SIGCONT');
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
    try {
      return await p.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET /status of node `id`, or undefined when it does not answer within `timeoutMs`. */
  async status(id: string, timeoutMs = 2_000): Promise<KvNodeStatus | undefined> {
    try {
      const res = await fetch(`${this.clientUrl(id)}/status`, { signal: AbortSignal.timeout(timeoutMs) });
      return res.ok ? ((await res.json()) as KvNodeStatus) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Waits until one running node (of `among`) is leader and the others that
   * answer agree on it.
   * @throws KvClusterError `NO_LEADER` after `timeoutMs`
   */
  async waitForLeader(timeoutMs = 30_000, among: readonly string[] = this.running()): Promise<string> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const statuses = (await Promise.all(among.map((id) => this.status(id)))).filter(
        (s): s is KvNodeStatus => s !== undefined,
      );
      const leaders = statuses.filter((s) => s.role === 'leader');
      const leader = leaders[0];
      if (
        leaders.length === 1 &&
        leader &&
        statuses.every((s) => s.leader === leader.id || s.leader === null)
      ) {
        return leader.id;
      }
      await sleep(100);
    }
    throw new KvClusterError(
      'NO_LEADER',
      `no agreed leader among ${among.join(', ')} within ${timeoutMs} ms`,
    );
  }

  /** SIGKILLs every node still running and waits until they are gone. Idempotent. */
  async stopAll(): Promise<void> {
    const all = [...this.procs.values()];
    for (const p of all) {
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
    await Promise.all(all.map((p) => p.exited));
  }
}
