/**
 * One kv write at a time, hop by hop: a 3-node kv cluster in this process
 * (`@avs/storage-file` with fsync, `@avs/transport-http` over 127.0.0.1, the kv
 * HTTP API), each node's storage and transport wrapped to timestamp every
 * `save`, every message sent and every message received, on one clock
 * (`performance.now()`). A client puts one key at a time; each write is then cut
 * into the hops of issue #20 and the medians are printed as a markdown table.
 *
 *   node --conditions=@avs/source --import tsx src/write-path-trace.ts [--writes 300] [--json out.json] [--frame-gap-ms 1]
 *
 * Writes `<repo>/bench-results/write-path.json` (or `$BENCH_RESULTS_DIR`, or `--json`), which the
 * report renders under the package benchmarks.
 *
 * Limits: the three nodes share one thread (the kv benchmark runs them as three
 * processes), so CPU work of one node can delay another's; at one write in
 * flight there is little CPU work, and fsyncs run on libuv's thread pool.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createKvApi, KvNode } from '@avs/kv';
import {
  type Message,
  MessageType,
  type Storage,
  type StorageUpdate,
  type TransportHandler,
} from '@avs/raft-core';
import { FileStorage } from '@avs/storage-file';
import { createRaftServer, HttpTransport, sharedSecretScheme } from '@avs/transport-http';
import { createPooledFetch, serveNode } from '@avs/transport-http/node';
import { machineInfo } from './machine.js';

type Event =
  | { kind: 'save'; node: string; start: number; end: number; first: number; last: number }
  | {
      kind: 'send' | 'recv';
      node: string;
      at: number;
      type: MessageType;
      peer: string;
      index: number;
      last: number;
    };

const events: Event[] = [];

function traceStorage(id: string, storage: FileStorage): Storage & { close(): Promise<void> } {
  const save = storage.save.bind(storage);
  storage.save = async (update: StorageUpdate) => {
    const start = performance.now();
    await save(update);
    const entries = update.entries ?? [];
    if (entries.length === 0) {
      events.push({ kind: 'save', node: id, start, end: performance.now(), first: 0, last: 0 });
    } else {
      events.push({
        kind: 'save',
        node: id,
        start,
        end: performance.now(),
        first: entries[0]!.index,
        last: entries[entries.length - 1]!.index,
      });
    }
  };
  return storage;
}

function messageEvent(kind: 'send' | 'recv', node: string, m: Message): Event {
  const last = m.entries.length > 0 ? m.entries[m.entries.length - 1]!.index : m.index;
  return {
    kind,
    node,
    at: performance.now(),
    type: m.type,
    peer: kind === 'send' ? m.to : m.from,
    index: m.index,
    last,
  };
}

function traceTransport(id: string, transport: HttpTransport): HttpTransport {
  const send = transport.send.bind(transport);
  transport.send = (messages: Message[]) => {
    for (const m of messages)
      if (m.type === MessageType.App || m.type === MessageType.AppResp)
        events.push(messageEvent('send', id, m));
    send(messages);
  };
  const start = transport.start.bind(transport);
  transport.start = (handler: TransportHandler) =>
    start(
      new Proxy(handler, {
        get(target, key, receiver) {
          if (key !== 'receive') return Reflect.get(target, key, receiver);
          return (m: Message) => {
            if (m.type === MessageType.App || m.type === MessageType.AppResp)
              events.push(messageEvent('recv', id, m));
            target.receive(m);
          };
        },
      }),
    );
  return transport;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      writes: { type: 'string', default: '300' },
      json: { type: 'string' },
      'frame-gap-ms': { type: 'string' },
    },
  });
  const writes = Number(values.writes);
  const loadBefore = loadavg()[0];
  const dir = mkdtempSync(join(tmpdir(), 'avs-write-trace-'));
  const ids = ['n1', 'n2', 'n3'];
  const secret = new Uint8Array(32).fill(0x5a);
  const domain = { chainId: 0, verifyingContract: `0x${'00'.repeat(20)}`, clusterId: `0x${'11'.repeat(32)}` };
  const apis = new Map<string, ReturnType<typeof createKvApi>>();
  const nodes: { id: string; close(): Promise<void> }[] = [];
  const servedAll: { close(): Promise<void> }[] = [];
  const setup = await Promise.all(
    ids.map(async (id) => {
      const scheme = sharedSecretScheme({ nodeId: id, secret, domain });
      const raftServer = createRaftServer({ scheme, membership: { isMember: (p) => ids.includes(p) } });
      const pooled = createPooledFetch({ connections: 4 });
      const transport = traceTransport(
        id,
        new HttpTransport({
          scheme,
          server: raftServer,
          fetch: pooled.fetch,
          ...(values['frame-gap-ms'] === undefined
            ? {}
            : { streamFrameGapMs: Number(values['frame-gap-ms']) }),
        }),
      );
      const peer = await serveNode(raftServer.fetch);
      const client = await serveNode(
        (req) => apis.get(id)?.fetch(req) ?? new Response(null, { status: 503 }),
      );
      servedAll.push(peer, client, pooled);
      return { id, transport, peerUrl: peer.url, clientUrl: client.url };
    }),
  );
  const members = setup.map(({ id, peerUrl, clientUrl }) => ({ id, peerUrl, clientUrl }));
  for (const s of setup) {
    const storage = traceStorage(
      s.id,
      await FileStorage.open({ dir: join(dir, s.id), logger: { warn() {}, info() {} } }),
    );
    const node = await KvNode.start({
      id: s.id,
      storage,
      transport: s.transport,
      members,
      links: s.transport,
      bootstrap: ids,
      raft: { tickMs: 100, electionTick: 10, heartbeatTick: 1 },
    });
    apis.set(s.id, createKvApi(node));
    nodes.push({
      id: s.id,
      close: async () => {
        await node.close();
        await storage.close();
      },
    });
  }
  try {
    // Wait for a leader, then find it through the API.
    let leaderUrl: string | undefined;
    for (let i = 0; i < 200 && !leaderUrl; i++) {
      await new Promise((r) => setTimeout(r, 50));
      for (const s of setup) {
        const st = (await (await fetch(`${s.clientUrl}/status`)).json().catch(() => ({}))) as {
          role?: string;
        };
        if (st.role === 'leader') leaderUrl = s.clientUrl;
      }
    }
    if (!leaderUrl) throw new Error('no leader elected');
    const leader = setup.find((s) => s.clientUrl === leaderUrl)!.id;
    const value = 'v'.repeat(256);
    const rows: Record<string, number>[] = [];
    for (let i = 0; i < writes + 20; i++) {
      events.length = 0;
      const t0 = performance.now();
      const res = await fetch(`${leaderUrl}/v1/kv/k${i % 1000}`, {
        method: 'PUT',
        body: JSON.stringify({ value }),
        headers: { 'content-type': 'application/json' },
      });
      await res.arrayBuffer();
      const t9 = performance.now();
      if (!res.ok) throw new Error(`put answered ${res.status}`);
      if (i < 20) continue; // warm-up
      const hops = cut(events, leader, t0, t9);
      if (hops) rows.push(hops);
    }
    printTable(rows, writes);
    const out =
      values.json ??
      join(
        process.env.BENCH_RESULTS_DIR ??
          join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'bench-results'),
        'write-path.json',
      );
    const result = {
      benchmark:
        'one kv write at a time, hop by hop (3 nodes in one process, file storage with fsync, HTTP transport on 127.0.0.1)',
      date: new Date().toISOString(),
      machine: machineInfo(),
      writes,
      traced: rows.length,
      notes:
        'p50/p90 of each hop over the traced writes (ms); share = hop p50 / total p50 (hops overlap: the leader fsync runs alongside replication, so shares do not add up to 100%). The three nodes share one thread.',
      rows: summarize(rows),
      loadAverage1m: { before: loadBefore, after: loadavg()[0] },
    };
    writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`wrote ${out}`);
  } finally {
    for (const n of nodes) await n.close().catch(() => undefined);
    for (const s of servedAll) await s.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

type SaveEvent = Extract<Event, { kind: 'save' }>;
type MessageEvent = Extract<Event, { kind: 'send' | 'recv' }>;

/** Cuts one write's events into hop durations (ms), or undefined when its trace is incomplete. */
function cut(ev: Event[], leader: string, t0: number, t9: number): Record<string, number> | undefined {
  const saves = ev.filter((e): e is SaveEvent => e.kind === 'save');
  const messages = ev.filter((e): e is MessageEvent => e.kind !== 'save');
  const lsave = saves.find((e) => e.node === leader && e.last > 0);
  if (!lsave) return undefined;
  const index = lsave.last;
  const appOut = messages.find(
    (e) => e.kind === 'send' && e.node === leader && e.type === MessageType.App && e.last >= index,
  );
  // The first follower acknowledgement completes the quorum of 2 (leader + one follower).
  const ackIn = messages.find(
    (e) => e.kind === 'recv' && e.node === leader && e.type === MessageType.AppResp && e.index >= index,
  );
  if (!appOut || !ackIn) return undefined;
  const follower = ackIn.peer;
  const fIn = messages.find(
    (e) => e.kind === 'recv' && e.node === follower && e.type === MessageType.App && e.last >= index,
  );
  const fSave = saves.find((e) => e.node === follower && e.last >= index);
  const fOut = messages.find(
    (e) => e.kind === 'send' && e.node === follower && e.type === MessageType.AppResp && e.index >= index,
  );
  if (!fIn || !fSave || !fOut) return undefined;
  const at = (e: MessageEvent) => e.at;
  const committable = Math.max(at(ackIn), lsave.end);
  // RaftNode no longer writes the new commit index on its own: it goes with the next write, so no
  // save sits between the quorum and the answer. A save without entries here would be a regression.
  const commitSave = saves.find(
    (e) => e.node === leader && e.last === 0 && e.start >= committable - 0.001 && e.end <= t9,
  );
  return {
    'client request → leader sends the append (HTTP in, proposal, Raft step)': at(appOut) - t0,
    'client request → leader append starts': lsave.start - t0,
    'leader append + fsync (runs alongside replication)': lsave.end - lsave.start,
    'append on the wire (leader → follower)': at(fIn) - at(appOut),
    'follower receive → its append starts': fSave.start - at(fIn),
    'follower append + fsync': fSave.end - fSave.start,
    'follower fsync done → ack sent': at(fOut) - fSave.end,
    'ack on the wire (follower → leader)': at(ackIn) - at(fOut),
    'ack received → leader fsync done (0 when the leader was first)': Math.max(0, lsave.end - at(ackIn)),
    'leader saves without entries between quorum and answer (count; 0 expected)': commitSave ? 1 : 0,
    'quorum durable → client answered (commit, apply, HTTP answer)': t9 - committable,
    total: t9 - t0,
  };
}

function summarize(
  rows: Record<string, number>[],
): { hop: string; p50: number; p90: number; share: number }[] {
  if (rows.length === 0) return [];
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;
  const total = q(
    rows.map((r) => r.total!),
    0.5,
  );
  // A hop with no sample in any write is left out.
  return Object.keys(rows[0]!).flatMap((hop) => {
    const xs = rows.map((r) => r[hop]!).filter(Number.isFinite);
    if (xs.length === 0) return [];
    const p50 = q(xs, 0.5);
    return [
      {
        hop,
        p50: Number(p50.toFixed(3)),
        p90: Number(q(xs, 0.9).toFixed(3)),
        share: Number((p50 / total).toFixed(3)),
      },
    ];
  });
}

function printTable(rows: Record<string, number>[], writes: number): void {
  console.log(
    `\n${rows.length} of ${writes} writes traced completely; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n`,
  );
  console.log('| hop | p50 ms | p90 ms | share of p50 total |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of summarize(rows))
    console.log(`| ${r.hop} | ${r.p50.toFixed(2)} | ${r.p90.toFixed(2)} | ${(r.share * 100).toFixed(0)}% |`);
}

await main();
