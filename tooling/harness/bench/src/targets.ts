/**
 * The systems under test, behind one small interface so the same load
 * generator drives each: kv's HTTP API, etcd's HTTP/JSON gateway (both over
 * keep-alive HTTP/1.1 with an undici pool) and etcd's native gRPC API
 * (the `etcd3` client, HTTP/2). Keys `bench/<i mod keySpace>`, values of a
 * fixed size; reads are linearizable on every target.
 */
import { Etcd3 } from 'etcd3';
import { Pool } from 'undici';

/** Names of the targets, as they appear in results. */
export type TargetName = 'kv-http' | 'etcd-gateway' | 'etcd-grpc';

/** A system under test, connected to its leader. */
export interface BenchTarget {
  readonly name: TargetName;
  /** Writes key `i mod keySpace` (to the leader). */
  put(i: number): Promise<void>;
  /** Linearizable read of key `i mod keySpace`. */
  get(i: number): Promise<void>;
  close(): Promise<void>;
}

/** Workload shape shared by all targets. */
export interface Workload {
  readonly keySpace: number;
  readonly valueBytes: number;
  /** Connections the HTTP pools may open (the largest in-flight level). */
  readonly connections: number;
}

/** A failed request, with what the server said. */
export class BenchRequestError extends Error {
  override readonly name = 'BenchRequestError';
  readonly code = 'BENCH_REQUEST_FAILED';
}

function fixedValue(bytes: number): string {
  return 'x'.repeat(bytes);
}

async function expectOk(res: Awaited<ReturnType<Pool['request']>>, what: string): Promise<void> {
  if (res.statusCode === 200) {
    await res.body.dump();
    return;
  }
  const text = await res.body.text().catch(() => '');
  throw new BenchRequestError(`${what}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
}

/**
 * kv's own API on the leader: `PUT /v1/kv/:key` with `{ value }`, and
 * `GET /v1/kv/:key` (linearizable by default).
 */
export function kvHttpTarget(leaderClientUrl: string, w: Workload): BenchTarget {
  const pool = new Pool(leaderClientUrl, { connections: w.connections, pipelining: 1 });
  const body = JSON.stringify({ value: fixedValue(w.valueBytes) });
  const headers = { 'content-type': 'application/json' };
  return {
    name: 'kv-http',
    async put(i) {
      const res = await pool.request({
        path: `/v1/kv/bench/${i % w.keySpace}`,
        method: 'PUT',
        headers,
        body,
      });
      await expectOk(res, 'kv put');
    },
    async get(i) {
      const res = await pool.request({ path: `/v1/kv/bench/${i % w.keySpace}`, method: 'GET' });
      await expectOk(res, 'kv get');
    },
    close: () => pool.close(),
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/**
 * etcd's HTTP/JSON gateway on the leader: `POST /v3/kv/put` and
 * `POST /v3/kv/range` with base64 keys and values (ranges are linearizable
 * unless `serializable` is set, which we do not).
 */
export function etcdGatewayTarget(leaderClientUrl: string, w: Workload): BenchTarget {
  const pool = new Pool(leaderClientUrl, { connections: w.connections, pipelining: 1 });
  const value = b64(fixedValue(w.valueBytes));
  const keys = Array.from({ length: w.keySpace }, (_, i) => b64(`bench/${i}`));
  const headers = { 'content-type': 'application/json' };
  return {
    name: 'etcd-gateway',
    async put(i) {
      const body = JSON.stringify({ key: keys[i % w.keySpace], value });
      await expectOk(await pool.request({ path: '/v3/kv/put', method: 'POST', headers, body }), 'etcd put');
    },
    async get(i) {
      const body = JSON.stringify({ key: keys[i % w.keySpace] });
      await expectOk(
        await pool.request({ path: '/v3/kv/range', method: 'POST', headers, body }),
        'etcd range',
      );
    },
    close: () => pool.close(),
  };
}

/** etcd's native gRPC API through the `etcd3` client, connected to the leader only. */
export function etcdGrpcTarget(leaderClientUrl: string, w: Workload): BenchTarget {
  const client = new Etcd3({ hosts: leaderClientUrl });
  const value = Buffer.from(fixedValue(w.valueBytes));
  return {
    name: 'etcd-grpc',
    async put(i) {
      await client.put(`bench/${i % w.keySpace}`).value(value);
    },
    async get(i) {
      const got = await client.get(`bench/${i % w.keySpace}`).buffer();
      if (got === null) throw new BenchRequestError(`etcd get: bench/${i % w.keySpace} is missing`);
    },
    close: async () => client.close(),
  };
}
