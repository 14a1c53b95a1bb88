/**
 * Command-line flags and environment of the kv server, validated with zod.
 * Every flag `--some-flag` can also be given as `AVS_KV_SOME_FLAG`; flags win.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { RaftNodeConfig } from '@avs/raft-core';
import { z } from 'zod';
import { type MemberInfo, memberInfoSchema, urlSchema } from './commands.js';
import { KvConfigError } from './errors.js';

/** Storage backends the server can run on. */
export type StorageBackend = 'file' | 'level' | 'dynamodb';

/** Everything {@link startKvServer} needs. */
export interface KvServerConfig {
  readonly id: string;
  /** Every member known at start (founding members, or the current ones when joining), this node included. */
  readonly members: readonly MemberInfo[];
  /** Interface both servers listen on. Default 127.0.0.1. */
  readonly host: string;
  /** Ports to listen on; default the ports of this node's own URLs (differ when a proxy sits in front). */
  readonly peerPort: number;
  readonly clientPort: number;
  /** This node's own directory: Raft log, snapshots, LevelDB files. */
  readonly dataDir: string;
  readonly storage: StorageBackend;
  readonly dynamodb: {
    readonly endpoint?: string;
    readonly region: string;
    readonly table: string;
    readonly createTable: boolean;
  };
  /** Start without bootstrapping: this node is added to a running cluster with `POST /v1/members`. */
  readonly join: boolean;
  /** Shared cluster secret (at least 32 bytes) authenticating Raft traffic between members. */
  readonly secret: Uint8Array;
  /** Names the cluster in the transport's handshake domain (clusters with different ids never talk). */
  readonly clusterId: string;
  readonly raft: RaftNodeConfig;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Usage text printed by `--help` and on a configuration error. */
export const USAGE = `avs-kv: a replicated key-value server (Raft)

  --id <id>                     this node's id (e.g. n1)                          [required]
  --peers <id=url,...>          Raft peer URLs of the members, this node included [required]
  --clients <id=url,...>        client API URLs of the members, this node included [required]
  --data-dir <dir>              this node's data directory                        [required]
  --storage <file|level|dynamodb>  log storage backend                            [file]
  --join                        join a running cluster instead of bootstrapping one
  --host <addr>                 listen address                                    [127.0.0.1]
  --peer-port <n>               listen port for Raft traffic   [port of this node's --peers URL]
  --client-port <n>             listen port for clients        [port of this node's --clients URL]
  --secret-file <path>          file with the cluster secret (>= 32 bytes; hex or raw)
                                (or AVS_KV_SECRET=<hex>)                          [required]
  --cluster-id <name>           cluster name in the transport handshake           [avs-kv]
  --tick-ms <ms>                Raft tick                                          [100]
  --election-ticks <n>          election timeout in ticks                          [10]
  --heartbeat-ticks <n>         heartbeat interval in ticks                        [1]
  --snapshot-entries <n>        snapshot after this many applied entries (0: never) [10000]
  --proposal-timeout-ms <ms>    deadline of a write                                [10000]
  --read-timeout-ms <ms>        deadline of a linearizable read barrier            [5000]
  --dynamodb-endpoint <url>     DynamoDB endpoint (dynalite, DynamoDB Local)
  --dynamodb-region <region>                                                       [us-east-1]
  --dynamodb-table <name>                                                          [avs-kv]
  --dynamodb-create-table       create the table when missing
  --log-level <debug|info|warn|error>                                              [info]
Every flag may also be given as an environment variable: --tick-ms is AVS_KV_TICK_MS.`;

const options = {
  id: { type: 'string' },
  peers: { type: 'string' },
  clients: { type: 'string' },
  'data-dir': { type: 'string' },
  storage: { type: 'string' },
  join: { type: 'boolean' },
  host: { type: 'string' },
  'peer-port': { type: 'string' },
  'client-port': { type: 'string' },
  'secret-file': { type: 'string' },
  'cluster-id': { type: 'string' },
  'tick-ms': { type: 'string' },
  'election-ticks': { type: 'string' },
  'heartbeat-ticks': { type: 'string' },
  'snapshot-entries': { type: 'string' },
  'proposal-timeout-ms': { type: 'string' },
  'read-timeout-ms': { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  'dynamodb-region': { type: 'string' },
  'dynamodb-table': { type: 'string' },
  'dynamodb-create-table': { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean' },
} as const;

const int = (min: number) => z.coerce.number().int().min(min);
const flag = z.union([
  z.boolean(),
  z.enum(['1', 'true', '0', 'false']).transform((v) => v === '1' || v === 'true'),
]);

const rawSchema = z.object({
  id: memberInfoSchema.shape.id,
  peers: z.string().min(1),
  clients: z.string().min(1),
  'data-dir': z.string().min(1),
  storage: z.enum(['file', 'level', 'dynamodb']).default('file'),
  join: flag.default(false),
  host: z.string().min(1).default('127.0.0.1'),
  'peer-port': int(1).max(65535).optional(),
  'client-port': int(1).max(65535).optional(),
  'secret-file': z.string().min(1).optional(),
  secret: z
    .string()
    .regex(/^(0x)?([0-9a-fA-F]{2}){32,}$/, 'expected at least 32 bytes of hex')
    .optional(),
  'cluster-id': z.string().min(1).max(128).default('avs-kv'),
  'tick-ms': int(1).default(100),
  'election-ticks': int(2).default(10),
  'heartbeat-ticks': int(1).default(1),
  'snapshot-entries': int(0).default(10_000),
  'proposal-timeout-ms': int(1).default(10_000),
  'read-timeout-ms': int(1).default(5_000),
  'dynamodb-endpoint': urlSchema.optional(),
  'dynamodb-region': z.string().min(1).default('us-east-1'),
  'dynamodb-table': z.string().min(3).max(255).default('avs-kv'),
  'dynamodb-create-table': flag.default(false),
  'log-level': z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

function parseUrlList(flagName: string, text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0)
      throw new KvConfigError(`--${flagName}: expected id=url pairs separated by commas, got "${part}"`);
    const id = part.slice(0, eq);
    const url = part.slice(eq + 1).replace(/\/+$/, '');
    if (out.has(id)) throw new KvConfigError(`--${flagName}: ${id} is listed twice`);
    out.set(id, url);
  }
  return out;
}

function portOf(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

function decodeSecret(text: string): Uint8Array {
  const hex = text.trim().replace(/^0x/, '');
  if (/^([0-9a-fA-F]{2})+$/.test(hex)) return Uint8Array.from(Buffer.from(hex, 'hex'));
  return new TextEncoder().encode(text);
}

/**
 * Parses flags and environment.
 * @param argv arguments after the script name
 * @param env environment (`AVS_KV_*` variables are read)
 * @returns the configuration, or `'help'` when `--help` was given
 * @throws KvConfigError naming the bad flag and what was expected
 */
export function parseServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): KvServerConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new KvConfigError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const merged: Record<string, unknown> = {};
  for (const name of [...Object.keys(options), 'secret']) {
    const fromEnv = env[`AVS_KV_${name.toUpperCase().replaceAll('-', '_')}`];
    const value = values[name] ?? (fromEnv === '' ? undefined : fromEnv);
    if (value !== undefined) merged[name] = value;
  }
  const parsed = rawSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'flags';
    throw new KvConfigError(`--${where}: ${issue?.message ?? 'invalid'}`);
  }
  const r = parsed.data;
  const peers = parseUrlList('peers', r.peers);
  const clients = parseUrlList('clients', r.clients);
  const members: MemberInfo[] = [];
  for (const [id, peerUrl] of peers) {
    const clientUrl = clients.get(id);
    if (!clientUrl)
      throw new KvConfigError(`--clients: no client URL for ${id} (every --peers id needs one)`);
    const member = memberInfoSchema.safeParse({ id, peerUrl, clientUrl });
    if (!member.success) {
      throw new KvConfigError(
        `member ${id}: ${member.error.issues[0]?.path.join('.')}: ${member.error.issues[0]?.message}`,
      );
    }
    members.push(member.data);
  }
  for (const id of clients.keys()) {
    if (!peers.has(id))
      throw new KvConfigError(`--peers: no peer URL for ${id} (every --clients id needs one)`);
  }
  const self = members.find((m) => m.id === r.id);
  if (!self) throw new KvConfigError(`--peers: this node (${r.id}) must be listed`);
  let secret: Uint8Array;
  if (r['secret-file']) {
    try {
      secret = decodeSecret(readFileSync(r['secret-file'], 'utf8'));
    } catch (error) {
      throw new KvConfigError(`--secret-file: cannot read ${r['secret-file']}: ${(error as Error).message}`);
    }
  } else if (r.secret) {
    secret = decodeSecret(r.secret);
  } else {
    throw new KvConfigError('--secret-file or AVS_KV_SECRET is required (the cluster secret, >= 32 bytes)');
  }
  if (secret.length < 32)
    throw new KvConfigError(`the cluster secret must be at least 32 bytes, got ${secret.length}`);
  if (r['election-ticks'] <= r['heartbeat-ticks']) {
    throw new KvConfigError('--election-ticks must be greater than --heartbeat-ticks');
  }
  return {
    id: r.id,
    members,
    host: r.host,
    peerPort: r['peer-port'] ?? portOf(self.peerUrl),
    clientPort: r['client-port'] ?? portOf(self.clientUrl),
    dataDir: r['data-dir'],
    storage: r.storage,
    dynamodb: {
      ...(r['dynamodb-endpoint'] ? { endpoint: r['dynamodb-endpoint'] } : {}),
      region: r['dynamodb-region'],
      table: r['dynamodb-table'],
      createTable: r['dynamodb-create-table'],
    },
    join: r.join,
    secret,
    clusterId: r['cluster-id'],
    raft: {
      tickMs: r['tick-ms'],
      electionTick: r['election-ticks'],
      heartbeatTick: r['heartbeat-ticks'],
      snapshotEntries: r['snapshot-entries'],
      proposalTimeoutMs: r['proposal-timeout-ms'],
      readIndexTimeoutMs: r['read-timeout-ms'],
    },
    logLevel: r['log-level'],
  };
}
