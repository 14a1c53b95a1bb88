/**
 * The transport benchmark, runtime-neutral: two nodes on 127.0.0.1, one
 * sending Raft messages to the other through HttpTransport (handshake, HMAC per
 * request, batching), and a baseline without authentication: the same codec,
 * the same HTTP stack and the same batch sizes, one request in flight, posted
 * to a bare Hono route. Modes alternate for several rounds (so both run with a
 * warm JIT) and the best round of each counts. The runtime-specific part is `serve`.
 */
import { EntryType, type Message, MessageType, type NodeId, type TransportHandler } from '@avs/raft-core';
import { Hono } from 'hono';
import type { ServeFn } from '../src/adapters/served.js';
import { operatorKeyScheme } from '../src/auth/handshake-scheme.js';
import { importSessionKey, signRequest, verifyRequest } from '../src/auth/request-signing.js';
import { HttpTransport } from '../src/client/http-transport.js';
import type { FetchLike } from '../src/client/peer-connection.js';
import { decodeBatch, encodeBatch } from '../src/codec/frame-codec.js';
import { createRaftServer } from '../src/server/raft-server.js';

/** One measured row. */
export interface BenchRow {
  readonly runtime: string;
  readonly workload: string;
  readonly mode: 'authenticated' | 'baseline-no-auth';
  readonly messages: number;
  readonly batches: number;
  readonly seconds: number;
  readonly messagesPerSecond: number;
  readonly megabytesPerSecond: number;
}

interface Round {
  readonly seconds: number;
  readonly bytes: number;
  readonly batches: number;
}

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
/** BENCH_SMOKE=1: a tiny run (CI keeps the script from rotting); figures are not meaningful. */
const SMOKE = env.BENCH_SMOKE === '1';
/**
 * Alternating rounds of both modes (the first, a warm-up, is dropped); each round gives one
 * authentication cost, and the median of those is reported. BENCH_ROUNDS overrides.
 */
const ROUNDS = Number(env.BENCH_ROUNDS ?? (SMOKE ? 2 : 8));
const domain = {
  chainId: 31337,
  verifyingContract: `0x${'c0'.repeat(20)}`,
  clusterId: `0x${'1d'.repeat(32)}`,
};

function appMessage(from: NodeId, to: NodeId, i: number, payload: Uint8Array): Message {
  return {
    type: MessageType.App,
    from,
    to,
    term: 3,
    logTerm: 3,
    index: 1000 + i,
    entries: [{ term: 3, index: 1001 + i, type: EntryType.Normal, data: payload }],
    commit: 900 + i,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
  };
}

class Counter implements TransportHandler {
  count = 0;
  private waiter: { n: number; resolve: () => void } | undefined;
  receive(): void {
    this.count++;
    if (this.waiter && this.count >= this.waiter.n) {
      this.waiter.resolve();
      this.waiter = undefined;
    }
  }
  reportUnreachable(peer: NodeId): void {
    throw new Error(`benchmark peer ${peer} became unreachable`);
  }
  reach(n: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = { n, resolve };
    });
  }
}

/**
 * A full collection before each timed phase (where the runtime exposes one: node --expose-gc,
 * Bun.gc): decoding 100,000 messages per phase makes garbage, and a major collection falling in
 * one phase or the other moved single rounds' costs by more than ±100%.
 */
function collectGarbage(): void {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  if (typeof g.gc === 'function') g.gc();
  else g.Bun?.gc(true);
}

/** The round of median duration. */
function medianRound(rounds: Round[]): Round {
  return [...rounds].sort((a, b) => a.seconds - b.seconds)[Math.floor((rounds.length - 1) / 2)]!;
}

function row(
  runtime: string,
  workload: string,
  mode: BenchRow['mode'],
  messages: number,
  rounds: Round[],
): BenchRow {
  const best = medianRound(rounds);
  return {
    runtime,
    workload,
    mode,
    messages,
    batches: best.batches,
    seconds: best.seconds,
    messagesPerSecond: messages / best.seconds,
    megabytesPerSecond: best.bytes / best.seconds / 1e6,
  };
}

/** Runs both modes for one workload, alternating, {@link ROUNDS} rounds. */
export async function runWorkload(
  runtime: string,
  serve: ServeFn,
  fetchFn: FetchLike,
  workload: { name: string; messages: number; payloadBytes: number },
): Promise<{ rows: BenchRow[]; costs: number[] }> {
  const a = operatorKeyScheme({ privateKey: new Uint8Array(32).fill(1), domain });
  const b = operatorKeyScheme({ privateKey: new Uint8Array(32).fill(2), domain });
  const payload = new Uint8Array(workload.payloadBytes).fill(7);
  const messages = Array.from({ length: workload.messages }, (_, i) =>
    appMessage(a.nodeId, b.nodeId, i, payload),
  );

  // Authenticated: the real transport end to end.
  const server = createRaftServer({ scheme: b, membership: { isMember: (id) => id === a.nodeId } });
  const counter = new Counter();
  const receiver = new HttpTransport({ scheme: b, server });
  await receiver.start(counter);
  const served = await serve(server.fetch);
  const sender = new HttpTransport({
    scheme: a,
    fetch: fetchFn,
    queue: { maxMessages: workload.messages * 2, maxBytes: 2 ** 40 },
  });
  await sender.start(new Counter());
  sender.addPeer(b.nodeId, served.url);

  // Baseline: a bare route that decodes and counts.
  const plain = new Hono();
  let received = 0;
  plain.post('/raw', async (c) => {
    received += decodeBatch(new Uint8Array(await c.req.arrayBuffer())).length;
    return c.body(null, 204);
  });
  const rawServed = await serve(plain.fetch);
  const post = async (frame: Uint8Array) => {
    const res = await fetchFn(`${rawServed.url}/raw`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: frame as Uint8Array<ArrayBuffer>,
    });
    await res.body?.cancel();
  };

  const authRounds: Round[] = [];
  const baseRounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    collectGarbage();
    const base = counter.count;
    const batchesBefore = sender.metrics.sent.batches;
    const bytesBefore = sender.metrics.sent.bytes;
    let t0 = performance.now();
    for (let i = 0; i < messages.length; i += 1000) sender.send(messages.slice(i, i + 1000));
    await counter.reach(base + messages.length);
    const batches = sender.metrics.sent.batches - batchesBefore;
    authRounds.push({
      seconds: (performance.now() - t0) / 1000,
      bytes: sender.metrics.sent.bytes - bytesBefore,
      batches,
    });

    collectGarbage();
    // Same batch sizes, encoded inside the timed loop as the transport does.
    const perBatch = Math.max(1, Math.round(messages.length / Math.max(1, batches)));
    received = 0;
    let bytes = 0;
    let frames = 0;
    t0 = performance.now();
    for (let i = 0; i < messages.length; i += perBatch) {
      const frame = encodeBatch(messages.slice(i, i + perBatch));
      await post(frame);
      bytes += frame.length;
      frames++;
    }
    baseRounds.push({ seconds: (performance.now() - t0) / 1000, bytes, batches: frames });
    if (received !== messages.length) throw new Error(`baseline delivered ${received} of ${messages.length}`);
    if (round === 0 && ROUNDS > 1) {
      // Warm-up (JIT, connections, sessions): dropped.
      authRounds.pop();
      baseRounds.pop();
    }
  }
  await sender.close();
  await receiver.close();
  await served.close();
  await rawServed.close();
  return {
    rows: [
      row(runtime, workload.name, 'authenticated', messages.length, authRounds),
      row(runtime, workload.name, 'baseline-no-auth', messages.length, baseRounds),
    ],
    // Throughput lost to authentication in each round: 1 - (messages/s authenticated ÷ baseline).
    costs: authRounds.map((r, i) => 1 - baseRounds[i]!.seconds / r.seconds),
  };
}

/** CPU cost of authentication alone, per batch, and what it takes at a given message rate. */
export interface AuthCpuRow {
  readonly runtime: string;
  readonly messagesPerBatch: number;
  readonly frameBytes: number;
  /** Sign (client) plus verify (server) of one batch, microseconds. */
  readonly microsecondsPerBatch: number;
  /** Fraction of one core that signing and verifying take at `ratePerSecond` messages/s. */
  readonly coreFractionAtRate: number;
  readonly ratePerSecond: number;
}

/**
 * Times HMAC signing and verification (SHA-256 of the body on both ends) of
 * batch frames as the transport cuts them, and converts it into the share of
 * one core they take at `ratePerSecond` small messages per second.
 */
export async function measureAuthCpu(runtime: string, ratePerSecond = 50_000): Promise<AuthCpuRow> {
  const a = `0x${'aa'.repeat(20)}`;
  const b = `0x${'bb'.repeat(20)}`;
  const payload = new Uint8Array(64).fill(7);
  // What the transport puts in one batch of small messages (1 MiB of estimated size).
  const perBatch = 6900;
  const frame = encodeBatch(Array.from({ length: perBatch }, (_, i) => appMessage(a, b, i, payload)));
  const key = await importSessionKey(new Uint8Array(32).fill(9));
  const rounds = SMOKE ? 5 : 200;
  let t0 = 0;
  for (let i = 0; i < rounds + 20; i++) {
    if (i === 20) t0 = performance.now();
    const parts = {
      method: 'POST',
      path: '/raft/v1/messages',
      sessionId: '0x01',
      timestamp: i,
      seq: i + 1,
      body: frame,
    };
    const headers = await signRequest(key, parts);
    if (!(await verifyRequest(key, parts, headers['x-avs-signature']!)))
      throw new Error('verification failed');
  }
  const micro = ((performance.now() - t0) * 1000) / rounds;
  return {
    runtime,
    messagesPerBatch: perBatch,
    frameBytes: frame.length,
    microsecondsPerBatch: micro,
    coreFractionAtRate: ((ratePerSecond / perBatch) * micro) / 1e6,
    ratePerSecond,
  };
}

/** The workloads every runtime runs. */
export const WORKLOADS = [
  { name: 'small (App, 1 entry of 64 B)', messages: 100_000, payloadBytes: 64 },
  { name: 'large (App, 1 entry of 64 KiB)', messages: 1_000, payloadBytes: 64 * 1024 },
].map((w) => (SMOKE ? { ...w, messages: Math.ceil(w.messages / 100) } : w));

/** Runs every workload. */
export async function runAll(
  runtime: string,
  serve: ServeFn,
  fetchFn: FetchLike,
): Promise<{ rows: BenchRow[]; authCpu: AuthCpuRow; authCostRounds: Record<string, number[]> }> {
  const rows: BenchRow[] = [];
  const authCostRounds: Record<string, number[]> = {};
  for (const w of WORKLOADS) {
    const r = await runWorkload(runtime, serve, fetchFn, w);
    rows.push(...r.rows);
    authCostRounds[`${runtime} ${w.name}`] = r.costs;
  }
  return { rows, authCpu: await measureAuthCpu(runtime), authCostRounds };
}
