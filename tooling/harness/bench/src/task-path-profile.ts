/**
 * Where a task's CPU goes, hop by hop (issue #19 item 4): runs a devnet (anvil + N operator
 * processes with `--cpu-prof`) at a fixed task rate, stops it cleanly (the profiles are written
 * on exit), attributes every profile sample to the hop of the task's path its stack belongs to
 * (request, log, apply, sign, send, verify, aggregate, propose, submit, receipt, plus the chain
 * reads every operator makes and what is no task's), and divides by the tasks aggregated.
 * Latencies of the hops the devnet sees (request → aggregate → verified) come with it.
 *
 *   node --conditions=@avs/source --import tsx src/task-path-profile.ts --operators 3 --rate 100 --seconds 30
 *
 * Writes bench-results/task-path.json. The operator processes run the built CLI (build @avs/operator first).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDevnet } from '@avs/operator';
import { categorize } from './leader-profile.js';
import { machineInfo } from './machine.js';

/** The hops, most specific first: a sample goes to the first whose pattern a frame of its stack matches. */
export const HOPS: readonly (readonly [hop: string, pattern: RegExp])[] = [
  ['receipt', /^(#waitForReceipt|#receiptOfAny|getTransactionReceipt|submitted)$/],
  [
    'submit',
    /^(#submitNow|submitBatch|submitResponse|buildNonSignerStakesAndSignature|#broadcastAt|#prepare)$/,
  ],
  ['propose (aggregate)', /^#onResult$/],
  [
    'verify',
    /^(judge|processSignature|acceptResponses|#acceptBatch|verifyAndMark|#verify|checkClaim|checkClaimsBatch)$/,
  ],
  ['sign', /^(#answerBatch|#answer|#responsesFor|#checked|onTaskRequest|sign)$/],
  ['send', /^(submitResponses|#track|#sendDue|#flushResponses|sendResponses)$/],
  [
    'request',
    /^(submitTasks|leaderSendTaskRequestToFollowers|add|#flush|validateTaskRequest|payloadHashOf)$/,
  ],
  ['chain reads (task events)', /^(#scanNewTasks|#parseCreated|getTask|#loadState|getOperatorState)$/],
  [
    'apply',
    /^(apply|#applyOne|applyFrom|applyReady|decodeTaskCommand|#batchTransition|#transition|onTaskUpdated|emit)$/,
  ],
  [
    'log (Raft, storage, transport)',
    /^(pump|runLoop|step|stepLeader|runScheduled|save|writeFully|execute|handle|pull|handshake|seal|sealChunks|fetch)$/,
  ],
  ['status and metrics (devnet polling)', /^(status|statusOf|engineStatusOf|collect|metrics)$/],
];

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** CPU ms of one profile per hop (`GC`, `startup` and `other` for the rest; idle left out). */
export function hopsOf(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const hopOfNode = (id: number): string => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const names: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      names.push(byId.get(cur)?.callFrame.functionName ?? '');
    }
    const leaf = names[0] ?? '';
    let hop =
      leaf === '(garbage collector)'
        ? 'GC'
        : (HOPS.find(([, pattern]) => names.some((n) => pattern.test(n)))?.[0] ?? undefined);
    if (hop === undefined) {
      // No hop's frame on the stack: mostly async continuations (an awaited RPC answer parsed by
      // ethers, socket writes), whose caller the profile does not keep. Named by the leaf's package.
      const url = byId.get(id)?.callFrame.url ?? '';
      hop = /^node:internal\/modules|wrapSafe|compile/.test(url + leaf)
        ? 'startup'
        : `other: ${categorize(leaf, url) ?? 'other'}`;
    }
    memo.set(id, hop);
    return hop;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    if (byId.get(id)?.callFrame.functionName === '(idle)') return;
    const hop = hopOfNode(id);
    totals.set(hop, (totals.get(hop) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return totals;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      operators: { type: 'string', default: '3' },
      rate: { type: 'string', default: '100' },
      seconds: { type: 'string', default: '30' },
      out: { type: 'string' },
    },
  });
  const operators = Number(values.operators);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
  const out = values.out ?? join(root, 'bench-results', 'task-path.json');
  const log = (line: string) => process.stderr.write(`[task-path] ${line}\n`);
  const base = mkdtempSync(join(tmpdir(), 'avs-task-path-'));
  const profDir = join(base, 'profiles');
  process.env.AVS_OPERATOR_NODE_ARGS = `--cpu-prof --cpu-prof-dir=${profDir}`;
  const load0 = loadavg()[0] ?? 0;
  const devnet = await startDevnet({
    operators,
    taskRate: rate,
    dataDir: join(base, 'devnet'),
    fromBuild: true,
    maxOutstandingTasks: 4_096,
    onLine: () => {},
  });
  let leaderPid: number | undefined;
  const t0 = Date.now();
  try {
    await new Promise((r) => setTimeout(r, seconds * 1000));
    leaderPid = devnet.state.snapshot().operators.find((o) => o.role === 'leader')?.pid;
  } finally {
    await devnet.stop();
  }
  const s = devnet.state.snapshot();
  const w = devnet.state.latencySince(t0);
  const load1 = loadavg()[0] ?? 0;
  const aggregated = s.totals.answered;
  const perProcess = readdirSync(profDir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => {
      const pid = Number(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(f)?.[1]);
      const hops = hopsOf(JSON.parse(readFileSync(join(profDir, f), 'utf8')) as CpuProfile);
      return { pid, role: pid === leaderPid ? 'leader' : 'follower', hops };
    });
  rmSync(base, { recursive: true, force: true });
  const others = new Map<string, number>();
  for (const p of perProcess)
    for (const [hop, ms] of p.hops)
      if (hop.startsWith('other: ')) others.set(hop, (others.get(hop) ?? 0) + ms);
  // Packages under 0.05 ms a task in every process are folded into one row.
  const small = (hop: string) =>
    perProcess.every((p) => (p.hops.get(hop) ?? 0) / Math.max(1, aggregated) < 0.05);
  for (const hop of [...others.keys()]) {
    if (!small(hop)) continue;
    others.delete(hop);
    for (const p of perProcess) {
      p.hops.set('other: the rest', (p.hops.get('other: the rest') ?? 0) + (p.hops.get(hop) ?? 0));
    }
  }
  if (perProcess.some((p) => p.hops.has('other: the rest'))) others.set('other: the rest', 0);
  const names = [
    ...HOPS.map(([h]) => h),
    'GC',
    'startup',
    ...[...others.entries()].sort((a, b) => b[1] - a[1]).map(([h]) => h),
  ];
  const perTask = (ms: number) => (aggregated > 0 ? Number((ms / aggregated).toFixed(3)) : null);
  const leader = perProcess.find((p) => p.role === 'leader');
  const followers = perProcess.filter((p) => p.role === 'follower');
  const rows = names.map((hop) => ({
    hop,
    leaderCpuMsPerTask: perTask(leader?.hops.get(hop) ?? 0),
    followerCpuMsPerTask: perTask(
      followers.reduce((sum, f) => sum + (f.hops.get(hop) ?? 0), 0) / Math.max(1, followers.length),
    ),
  }));
  const result = {
    benchmark: 'task-path',
    date: new Date().toISOString(),
    machine: machineInfo(),
    operators,
    taskRate: rate,
    seconds,
    tasksCreated: s.totals.created,
    tasksAggregated: aggregated,
    tasksVerified: s.totals.verified,
    loadAverage1m: Number(load0.toFixed(2)),
    loadAverageEnd1m: Number(load1.toFixed(2)),
    latency: {
      requestToAggregateP50Ms: Number.isFinite(w.aggregate.p50) ? w.aggregate.p50 : null,
      requestToVerifiedP50Ms: Number.isFinite(w.verified.p50) ? w.verified.p50 : null,
    },
    rows,
    notes: [
      'CPU from each operator process\'s V8 profile (--cpu-prof) over its whole life (startup included, as "startup"), divided by the tasks aggregated; a sample counts for the first hop (in HOPS order) one of its stack frames belongs to.',
      'On a machine loaded by other work the profiler also counts time a thread waited for a core inside a function: compare shares, not absolute ms, across runs at different loads.',
    ],
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.table(rows);
  log(
    `${aggregated} tasks aggregated, ${s.totals.verified} verified of ${s.totals.created} created; load ${load0.toFixed(1)} → ${load1.toFixed(1)}; wrote ${out}`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    process.stderr.write(
      `[task-path] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
