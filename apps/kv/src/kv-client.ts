/**
 * {@link KvClient}: a small HTTP client of the kv API that finds the leader
 * (following `NOT_LEADER` hints) and retries what is safe to retry. Writes
 * that time out (`TIMEOUT`, outcome unknown) or lose their connection are
 * NOT retried: the caller decides, since the write may have been applied.
 */
import type { Compare, KvRecord } from './commands.js';
import { KvError, type KvErrorStatus } from './errors.js';
import type { ReadConsistency } from './kv-node.js';

/** Options of {@link KvClient}. */
export interface KvClientOptions {
  /** Client URLs of the members (any order). */
  readonly endpoints: readonly string[];
  /** Attempts per call across leader changes and `UNAVAILABLE` answers. Default 20. */
  readonly attempts?: number;
  /** Pause between attempts, ms. Default 100. */
  readonly retryDelayMs?: number;
  /** Per-request timeout, ms. Default 15 000. */
  readonly requestTimeoutMs?: number;
}

/** A record as the API returns it. */
export interface KvGetResult extends KvRecord {
  readonly key: string;
  readonly revision: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A leader-following client of the kv HTTP API. */
export class KvClient {
  private leader: string | undefined;
  private next = 0;

  constructor(private readonly options: KvClientOptions) {
    if (options.endpoints.length === 0)
      throw new KvError('INVALID_CONFIG', 400, 'KvClient needs at least one endpoint');
  }

  /** Sets `key`; resolves with the new revision. */
  async put(key: string, value: string): Promise<{ revision: number; prev: KvRecord | null }> {
    return this.call('PUT', `/v1/kv/${encodeKey(key)}`, { value }, true);
  }

  /** Reads `key`; undefined when absent. Linearizable by default; any node serves it. */
  async get(key: string, consistency: ReadConsistency = 'linearizable'): Promise<KvGetResult | undefined> {
    try {
      return await this.call('GET', `/v1/kv/${encodeKey(key)}?consistency=${consistency}`, undefined, false);
    } catch (error) {
      if (error instanceof KvError && error.code === 'KEY_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Deletes `key`. */
  async delete(key: string): Promise<{ deleted: boolean; revision: number }> {
    return this.call('DELETE', `/v1/kv/${encodeKey(key)}`, undefined, true);
  }

  /**
   * Compare-and-set.
   * @throws KvError `COMPARE_FAILED` (with `details.current`) when the compare failed
   */
  async compareAndSet(
    key: string,
    value: string,
    expect: Compare,
  ): Promise<{ revision: number; current: KvRecord }> {
    return this.call('POST', `/v1/cas/${encodeKey(key)}`, { value, expect }, true);
  }

  private pick(): string {
    if (this.leader) return this.leader;
    const e = this.options.endpoints[this.next++ % this.options.endpoints.length]!;
    return e;
  }

  private async call<T>(method: string, path: string, body: unknown, write: boolean): Promise<T> {
    const attempts = this.options.attempts ?? 20;
    let last: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(this.options.retryDelayMs ?? 100);
      const base = this.pick();
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 15_000),
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        });
      } catch (error) {
        this.leader = undefined;
        // A refused connection never carried the request: safe to retry. Any other failure of a
        // write may have happened after the server applied it: report it, do not retry.
        if (write && !connectionRefused(error)) {
          throw new KvError(
            'UNKNOWN_OUTCOME',
            503,
            `request to ${base} failed: ${String(error)}`,
            {},
            { cause: error },
          );
        }
        last = error;
        continue;
      }
      const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.ok) {
        if (write) this.leader = base;
        return json as T;
      }
      const code = typeof json.code === 'string' ? json.code : 'HTTP_ERROR';
      const message = typeof json.message === 'string' ? json.message : `HTTP ${res.status}`;
      const error = new KvError(code, res.status as KvErrorStatus, message, json);
      if (code === 'NOT_LEADER') {
        this.leader = typeof json.leaderUrl === 'string' ? json.leaderUrl : undefined;
        last = error;
        continue;
      }
      if (code === 'UNAVAILABLE' || (!write && code === 'TIMEOUT')) {
        this.leader = undefined;
        last = error;
        continue;
      }
      throw error;
    }
    throw last instanceof KvError
      ? last
      : new KvError(
          'UNAVAILABLE',
          503,
          `no answer after ${attempts} attempts: ${String(last)}`,
          {},
          { cause: last },
        );
  }
}

function connectionRefused(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}
