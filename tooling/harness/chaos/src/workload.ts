/**
 * The client workload of the chaos runner: several concurrent clients, each
 * issuing one HTTP request at a time to the kv API (127.0.0.1 only) and
 * recording every call as a {@link KvOperation}. Each call is ONE request (no
 * retry inside), so its outcome is exactly what the history says:
 * - a write is `ok` on 2xx (a CAS also on 409 `COMPARE_FAILED`: a definite
 *   "not swapped"), `fail` on a 4xx that means "not proposed" (NOT_LEADER, bad
 *   input), and `unknown` otherwise (timeout, lost connection, 5xx: it may
 *   have been applied);
 * - a read is `ok` on 2xx / 404 `KEY_NOT_FOUND` and `fail` otherwise (a read
 *   that did not answer changed nothing).
 * Values are unique per write, so a read tells which write it saw.
 */
import type { KvInput, KvOperation, KvOutput, Outcome } from './history.js';

/** Options of {@link runWorkload}. */
export interface WorkloadOptions {
  /** Client URLs of the nodes. */
  readonly endpoints: readonly string[];
  readonly clients: number;
  readonly keys: readonly string[];
  /** Stop after this many operations in total... */
  readonly maxOperations: number;
  /** ...or when this signal aborts. */
  readonly signal: AbortSignal;
  /** Per-request deadline, ms. */
  readonly requestTimeoutMs: number;
  /** Pause between a client's calls, ms (keeps the load bounded on a small machine). */
  readonly thinkMs: number;
  readonly random: () => number;
  /** Shared clock of the history (ms). */
  readonly now: () => number;
  /** First operation id (ids are unique within a run). */
  readonly firstId?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The one-request call and how it ended. */
export interface CallResult {
  readonly outcome: Outcome;
  readonly output?: KvOutput;
  /** A leader hint from a NOT_LEADER answer. */
  readonly leaderUrl?: string;
}

/**
 * Sends one kv call to `base` and classifies its outcome (see the module doc).
 * @param base a node's client URL
 * @param key the key
 * @param input the operation
 * @param timeoutMs request deadline
 */
export async function callKv(
  base: string,
  key: string,
  input: KvInput,
  timeoutMs: number,
): Promise<CallResult> {
  const path = `${base}/v1/${input.f === 'cas' ? 'cas' : 'kv'}/${encodeURIComponent(key)}`;
  const body =
    input.f === 'put'
      ? { value: input.value }
      : input.f === 'cas'
        ? { value: input.value, expect: { value: input.expect } }
        : undefined;
  const method = { put: 'PUT', get: 'GET', delete: 'DELETE', cas: 'POST' }[input.f];
  const write = input.f !== 'get';
  let res: Response;
  let json: Record<string, unknown>;
  try {
    res = await fetch(path, {
      method,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  } catch {
    return { outcome: write ? 'unknown' : 'fail' };
  }
  const code = typeof json.code === 'string' ? json.code : '';
  if (res.ok) {
    switch (input.f) {
      case 'put':
        return { outcome: 'ok', output: { f: 'put' } };
      case 'get':
        return {
          outcome: 'ok',
          output: { f: 'get', value: typeof json.value === 'string' ? json.value : null },
        };
      case 'delete':
        return { outcome: 'ok', output: { f: 'delete', deleted: json.deleted === true } };
      case 'cas':
        return { outcome: 'ok', output: { f: 'cas', swapped: true } };
    }
  }
  if (input.f === 'get' && res.status === 404 && code === 'KEY_NOT_FOUND') {
    return { outcome: 'ok', output: { f: 'get', value: null } };
  }
  if (input.f === 'cas' && res.status === 409 && code === 'COMPARE_FAILED') {
    return { outcome: 'ok', output: { f: 'cas', swapped: false } };
  }
  const leaderUrl = code === 'NOT_LEADER' && typeof json.leaderUrl === 'string' ? json.leaderUrl : undefined;
  // Not proposed at all: a follower's NOT_LEADER or a rejected input.
  const definite = res.status >= 400 && res.status < 500;
  return { outcome: !write || definite ? 'fail' : 'unknown', ...(leaderUrl ? { leaderUrl } : {}) };
}

/**
 * Runs the clients until `maxOperations` calls were made or `signal` aborts.
 * @returns every call, in completion order
 */
export async function runWorkload(options: WorkloadOptions): Promise<KvOperation[]> {
  const history: KvOperation[] = [];
  let nextId = options.firstId ?? 0;
  let issued = 0;
  const { random } = options;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const client = async (c: number) => {
    let target: string | undefined;
    let seq = 0;
    const seen = new Map<string, string | null>();
    while (!options.signal.aborted && issued < options.maxOperations) {
      issued++;
      const key = pick(options.keys);
      const r = random();
      const value = `c${c}-${seq++}`;
      const input: KvInput =
        r < 0.4
          ? { f: 'put', value }
          : r < 0.75
            ? { f: 'get' }
            : r < 0.9
              ? { f: 'cas', expect: seen.get(key) ?? null, value }
              : { f: 'delete' };
      // Writes go to the leader hint (reads too: fewer hops), else to a random node.
      const base = target ?? pick(options.endpoints);
      const invokedAt = options.now();
      const result = await callKv(base, key, input, options.requestTimeoutMs);
      const completedAt = options.now();
      history.push({
        id: nextId++,
        client: c,
        key,
        input,
        invokedAt,
        completedAt,
        outcome: result.outcome,
        ...(result.output ? { output: result.output } : {}),
      });
      if (result.output?.f === 'get') seen.set(key, result.output.value);
      if (result.outcome === 'ok' && input.f === 'put') seen.set(key, input.value);
      target = result.leaderUrl ?? (result.outcome === 'ok' ? base : undefined);
      if (options.thinkMs > 0) await sleep(options.thinkMs);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, c) => client(c)));
  return history;
}
