/**
 * A 3-member etcd cluster on 127.0.0.1 for the comparison: Debian's
 * `etcd-server` package (installed with apt-get when missing and allowed),
 * data in a temporary directory, default durability (fsync on every commit),
 * every process stopped at the end.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from '@avs/transport-http/node';

/** Where etcd is and which version, or why it is not available. */
export type EtcdAvailability =
  | {
      readonly available: true;
      readonly path: string;
      readonly version: string;
      readonly installedNow: boolean;
    }
  | { readonly available: false; readonly reason: string };

/** Options of {@link startEtcdCluster}. */
export interface EtcdClusterOptions {
  readonly etcdPath: string;
  readonly baseDir: string;
  readonly size?: number;
}

/** A running etcd cluster. */
export interface EtcdCluster {
  readonly clientUrls: readonly string[];
  readonly pids: readonly number[];
  /** Finds the leader's client URL (POST /v3/maintenance/status on each member). */
  leaderClientUrl(timeoutMs?: number): Promise<string>;
  /** SIGTERM, then SIGKILL after a grace period; resolves when every member exited. Idempotent. */
  stop(): Promise<void>;
}

/** The failure of an etcd step (install, start, leader discovery). */
export class EtcdError extends Error {
  override readonly name = 'EtcdError';
  readonly code = 'ETCD_FAILED';
}

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function versionOf(path: string): string {
  const out = execFileSync(path, ['--version'], { encoding: 'utf8' });
  return /etcd Version:\s*(\S+)/.exec(out)?.[1] ?? out.split('\n')[0] ?? 'unknown';
}

/**
 * Finds etcd; when missing and `install` is true, installs Debian's
 * `etcd-server` with apt-get (needs root and a reachable Debian mirror).
 */
export function ensureEtcd(install: boolean, log: (line: string) => void): EtcdAvailability {
  const found = which('etcd');
  if (found) return { available: true, path: found, version: versionOf(found), installedNow: false };
  if (!install) return { available: false, reason: 'etcd is not installed (apt-get install etcd-server)' };
  try {
    const policy = execFileSync('apt-cache', ['policy', 'etcd-server'], { encoding: 'utf8' });
    if (!/Candidate:\s*(?!\(none\))\S+/.test(policy)) {
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
    }
    log('installing etcd-server with apt-get (once)');
    execFileSync('apt-get', ['install', '-y', 'etcd-server'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    return { available: false, reason: `installing etcd-server failed: ${(error as Error).message}` };
  }
  const path = which('etcd');
  if (!path) return { available: false, reason: 'etcd-server was installed but etcd is not on PATH' };
  return { available: true, path, version: versionOf(path), installedNow: true };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the members and waits until every one answers `/health`.
 * @throws EtcdError when a member exits or the cluster is not healthy within 60 s
 */
export async function startEtcdCluster(options: EtcdClusterOptions): Promise<EtcdCluster> {
  const size = options.size ?? 3;
  const members: { name: string; clientUrl: string; peerUrl: string }[] = [];
  const taken = new Set<number>();
  for (let i = 1; i <= size; i++) {
    members.push({
      name: `e${i}`,
      clientUrl: `http://127.0.0.1:${await findFreePort(taken)}`,
      peerUrl: `http://127.0.0.1:${await findFreePort(taken)}`,
    });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peerUrl}`).join(',');
  const token = `avs-bench-${process.pid}-${Date.now()}`;
  const children: { child: ChildProcess; exited: Promise<void> }[] = [];
  mkdirSync(options.baseDir, { recursive: true });
  for (const m of members) {
    const log = createWriteStream(join(options.baseDir, `${m.name}.log`));
    const child = spawn(
      options.etcdPath,
      [
        '--name',
        m.name,
        '--data-dir',
        join(options.baseDir, m.name),
        '--listen-client-urls',
        m.clientUrl,
        '--advertise-client-urls',
        m.clientUrl,
        '--listen-peer-urls',
        m.peerUrl,
        '--initial-advertise-peer-urls',
        m.peerUrl,
        '--initial-cluster',
        initialCluster,
        '--initial-cluster-state',
        'new',
        '--initial-cluster-token',
        token,
        '--logger',
        'zap',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    children.push({ child, exited });
  }
  let stopping: Promise<void> | undefined;
  const cluster: EtcdCluster = {
    clientUrls: members.map((m) => m.clientUrl),
    pids: children.map((c) => c.child.pid ?? 0),
    async leaderClientUrl(timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        for (const m of members) {
          try {
            const res = await fetch(`${m.clientUrl}/v3/maintenance/status`, {
              method: 'POST',
              body: '{}',
              headers: { 'content-type': 'application/json' },
              signal: AbortSignal.timeout(2_000),
            });
            const s = (await res.json()) as { header?: { member_id?: string }; leader?: string };
            if (s.leader && s.header?.member_id === s.leader) return m.clientUrl;
          } catch {
            // not up yet
          }
        }
        await sleep(200);
      }
      throw new EtcdError(`no etcd leader within ${timeoutMs} ms (logs in ${options.baseDir})`);
    },
    stop() {
      stopping ??= (async () => {
        for (const c of children) c.child.kill('SIGTERM');
        const timer = setTimeout(() => {
          for (const c of children) c.child.kill('SIGKILL');
        }, 10_000);
        await Promise.all(children.map((c) => c.exited));
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
  try {
    const end = Date.now() + 60_000;
    for (const m of members) {
      for (;;) {
        if (children.some((c) => c.child.exitCode !== null)) {
          throw new EtcdError(`an etcd member exited during start (logs in ${options.baseDir})`);
        }
        try {
          const res = await fetch(`${m.clientUrl}/health`, { signal: AbortSignal.timeout(2_000) });
          const body = (await res.json()) as { health?: string };
          if (body.health === 'true') break;
        } catch {
          // not up yet
        }
        if (Date.now() > end)
          throw new EtcdError(`etcd ${m.name} not healthy within 60 s (logs in ${options.baseDir})`);
        await sleep(200);
      }
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
