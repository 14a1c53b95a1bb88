/**
 * The devnet's operators: register them on the chain with fresh BLS keys,
 * write their key files and configs, start them as processes, and wait until
 * they form one cluster.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlsKeyPair } from '@avs/bls';
import { findFreePort } from '@avs/transport-http/node';
import type { OperatorConfigInput } from '../config.js';
import { writeKeyFiles } from '../keys.js';
import type { OperatorStatus } from '../operator.js';
import type { DevnetChain } from './devnet-chain.js';
import { OperatorProcess, type Runtime } from './operator-process.js';

/** One registered operator before its process starts. */
export interface DevnetOperatorSpec {
  readonly name: string;
  readonly dir: string;
  readonly port: number;
  readonly url: string;
  readonly address: string;
  readonly keys: { ecdsaKeystore: string; blsKeystore: string };
}

/** Settings of the operator processes. */
export interface DevnetProcessSettings {
  readonly storage: 'file' | 'level';
  readonly runtime: Runtime;
  readonly taskTimeoutMs: number;
  readonly fromBuild: boolean;
  readonly print: (line: string) => void;
  /** Per operator name, its `cluster.dialUrls` (fault proxies); default direct. */
  readonly routes?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Absolute path of a team's own task module the operators load; default the built-in examples. */
  readonly taskModule?: string;
  /** Leader-only membership check against the registry (removes deregistered operators), ms; 0: off. */
  readonly membershipCheckIntervalMs?: number;
  /** `engine.batching` of every operator: `false` turns it off; default the operator's. */
  readonly batching?: false | { readonly maxTasks?: number; readonly delayMs?: number };
  /** `engine.maxVoters` of every operator; default the engine's. */
  readonly maxVoters?: number;
}

/** The keystores' password in the devnet (the processes get it through the environment). */
export const DEVNET_PASSWORD = 'devnet';

/** Registers `n` operators on the chain (concurrently) and writes their key files under `dataDir`. */
export async function registerOperators(
  devchain: DevnetChain,
  n: number,
  dataDir: string,
): Promise<DevnetOperatorSpec[]> {
  const ports = new Set<number>();
  const specs = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const bls = BlsKeyPair.generate();
      const port = await findFreePort(ports);
      const url = `http://127.0.0.1:${port}`;
      const name = `op-${i}`;
      const dir = join(dataDir, name);
      const { privateKey, address } = await devchain.registerOperator(i, bls, url);
      const keys = await writeKeyFiles(
        join(dir, 'keys'),
        { ecdsaPrivateKey: privateKey, bls },
        DEVNET_PASSWORD,
        'light',
      );
      return { name, dir, keys, port, url, address };
    }),
  );
  await devchain.finishRegistration(specs.map((s) => s.address));
  return specs;
}

/** Writes each operator's config (op-0 bootstraps, the others join it) and creates its process (not started). */
export async function createOperatorProcesses(
  devchain: DevnetChain,
  specs: readonly DevnetOperatorSpec[],
  settings: DevnetProcessSettings,
): Promise<OperatorProcess[]> {
  const processes: OperatorProcess[] = [];
  // One API token for the devnet's operators: the driver and the observer send it.
  const apiToken = randomBytes(32).toString('hex');
  for (const [i, op] of specs.entries()) {
    const dialUrls = settings.routes?.get(op.name);
    const config: OperatorConfigInput = {
      ...devchain.operatorConfig,
      keys: {
        ecdsaKeystore: op.keys.ecdsaKeystore,
        blsKeystore: op.keys.blsKeystore,
        passwordEnv: 'AVS_KEY_PASSWORD',
      },
      server: { host: '127.0.0.1', port: op.port },
      storage: { kind: settings.storage, dir: join(op.dir, 'raft') },
      cluster: {
        id: 'devnet',
        ...(i === 0 ? { bootstrap: true } : { joinUrl: specs[0]!.url }),
        // Every devnet operator listens on 127.0.0.1.
        endpoints: { allowLoopback: true, allowPrivate: false },
        ...(dialUrls === undefined ? {} : { dialUrls: { ...dialUrls } }),
      },
      avs:
        settings.taskModule === undefined
          ? { kind: 'squaring' }
          : { kind: 'module', path: settings.taskModule },
      engine: {
        taskTimeoutMs: settings.taskTimeoutMs,
        requestTimeoutMs: 3_000,
        ...(settings.membershipCheckIntervalMs === undefined
          ? {}
          : { membershipCheckIntervalMs: settings.membershipCheckIntervalMs }),
        ...(settings.maxVoters === undefined ? {} : { maxVoters: settings.maxVoters }),
        ...(settings.batching === undefined
          ? {}
          : {
              batching:
                settings.batching === false ? { enabled: false } : { enabled: true, ...settings.batching },
            }),
      },
    };
    const configPath = join(op.dir, 'operator.json');
    await writeFile(configPath, JSON.stringify(config, null, 2));
    processes.push(
      new OperatorProcess(
        op.name,
        configPath,
        op.url,
        op.address,
        settings.runtime,
        { ...process.env, ...devchain.env, AVS_KEY_PASSWORD: DEVNET_PASSWORD, AVS_API_TOKEN: apiToken },
        (name, line) => settings.print(`[${name}] ${line}`),
        settings.fromBuild,
      ),
    );
  }
  return processes;
}

async function fetchJson(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/** An operator's `GET /avs/v1/status`, or undefined when it is down or does not answer. */
export async function statusOf(p: OperatorProcess): Promise<OperatorStatus | undefined> {
  if (!p.running) return undefined;
  try {
    const { status, body } = await fetchJson(`${p.url}/avs/v1/status`, 1_000, p.authHeaders());
    return status === 200 ? (body as OperatorStatus) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it holds.
 * @throws Error with the processes' last output when an operator exits or `timeoutMs` passes
 */
export async function waitUntil(
  processes: readonly OperatorProcess[],
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    const dead = processes.find((p) => p.exited);
    if (Date.now() > deadline || dead) {
      const output = processes.map((p) => `--- ${p.name}\n${p.output.slice(-15).join('\n')}`).join('\n');
      throw new Error(
        dead
          ? `devnet: ${dead.name} exited while waiting until ${what}\n${output}`
          : `devnet: timed out waiting until ${what}\n${output}`,
      );
    }
    await sleep(200);
  }
}

/** Operators started at once: a hundred Node processes starting together starve each other of CPU. */
const START_WAVE = 10;

/**
 * Starts op-0 (it founds the cluster), then the others in waves of {@link START_WAVE}, and waits
 * until all are members: voters up to the engine's `maxVoters`, learners beyond.
 */
export async function startCluster(processes: readonly OperatorProcess[]): Promise<void> {
  const first = processes[0]!;
  first.start();
  await waitUntil(
    processes,
    'op-0 leads the new cluster',
    async () => (await statusOf(first))?.role === 'leader',
  );
  const members = async () => {
    const s = await statusOf(first);
    return s === undefined ? 0 : s.voters.length + s.learners.length;
  };
  // Joins are applied one at a time, each learner catching up before its promotion: allow
  // more time for more operators (15 of them on a busy 2-core machine took over a minute).
  for (let i = 1; i < processes.length; i += START_WAVE) {
    const wave = processes.slice(i, i + START_WAVE);
    for (const p of wave) p.start();
    const want = i + wave.length;
    await waitUntil(
      processes,
      `${want} operators are members`,
      async () => (await members()) >= want,
      Math.max(60_000, wave.length * 10_000),
    );
  }
  await waitUntil(
    processes,
    'every operator is a member, the voter seats taken',
    async () => {
      const s = await statusOf(first);
      return (
        s !== undefined &&
        s.voters.length + s.learners.length === processes.length &&
        s.voters.length === Math.min(processes.length, s.maxVoters)
      );
    },
    Math.max(60_000, processes.length * 10_000),
  );
}
