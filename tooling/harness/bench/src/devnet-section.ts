/**
 * The report's end-to-end section, rendered from `bench-results/devnet.json`
 * (written by `src/devnet-e2e.ts`), with the goals judged honestly.
 */
import type { DevnetResult } from './devnet-e2e.js';
import { formatNumber } from './package-results.js';

const GOAL_TASKS_PER_SEC = 100;
const GOAL_P50_MS = 100;

const orNa = (v: number | null): string => (v === null ? 'n/a' : formatNumber(v));

/** Markdown for the end-to-end section, or the "not measured yet" text when there is no result. */
export function devnetSection(r: DevnetResult | undefined): string {
  if (r === undefined || !Array.isArray(r.rows) || r.rows.length === 0) {
    return [
      '**Not measured yet:** run `pnpm --filter @avs/bench bench:e2e` (writes `bench-results/devnet.json`).',
      `Goals (issue 12): at least ${GOAL_TASKS_PER_SEC} tasks/s with 3 operators; p50 task latency under ${GOAL_P50_MS} ms before the on-chain transaction.`,
    ].join('\n\n');
  }
  const table = [
    '| operators | rate asked (requests/s) | tasks created /s | aggregated /s | verified on-chain /s | p50 request → aggregate (ms) | p99 → aggregate (ms) | p50 request → verified (ms) | p99 → verified (ms) | leader CPU ms / task | all operators CPU ms / task | operators CPU ms / aggregated task | expired | failed | leader changes | load average |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map((x) =>
      x.error !== undefined
        ? `| ${x.operators} | ${x.taskRate} | failed: ${x.error.replaceAll('|', '\\|')} | | | | | | | | | | | | | |`
        : `| ${x.operators} | ${x.taskRate} | ${formatNumber(x.createdPerSec)} | ${orNa(x.aggregatedPerSec ?? null)} | ${formatNumber(x.verifiedPerSec)} | ${orNa(x.aggregateP50Ms ?? null)} | ${orNa(x.aggregateP99Ms ?? null)} | ${formatNumber(x.latencyP50Ms)} | ${formatNumber(x.latencyP99Ms)} | ${orNa(x.leaderCpuMsPerTask)} | ${orNa(x.operatorsCpuMsPerTask)} | ${orNa(x.operatorsCpuMsPerAggregated ?? null)} | ${x.expired} | ${x.failed} | ${x.leaderChanges} | ${orNa(x.loadAverage1m ?? null)} |`,
    ),
  ].join('\n');
  const three = r.rows.filter((x) => x.operators === 3 && x.error === undefined);
  const best = three.reduce((m, x) => Math.max(m, x.verifiedPerSec), 0);
  const bestAggregated = three.reduce((m, x) => Math.max(m, x.aggregatedPerSec ?? 0), 0);
  const timed = three.filter((x) => x.aggregateP50Ms !== undefined && x.aggregateP50Ms !== null);
  const p50Verdict = timed
    .map(
      (x) =>
        `**${(x.aggregateP50Ms as number) < GOAL_P50_MS ? 'met' : 'NOT met'}** at ${formatNumber(x.taskRate)} requests/s asked (${formatNumber(x.createdPerSec)} tasks/s created): p50 ${formatNumber(x.aggregateP50Ms as number)} ms, p99 ${orNa(x.aggregateP99Ms ?? null)} ms`,
    )
    .join('; ');
  const verdicts = [
    three.length === 0
      ? `- ${GOAL_TASKS_PER_SEC} tasks/s with 3 operators: not measured in this run.`
      : `- ${GOAL_TASKS_PER_SEC} tasks/s with 3 operators: **${best >= GOAL_TASKS_PER_SEC ? 'met' : 'NOT met'}** (best ${formatNumber(best)} verified on-chain/s; best ${formatNumber(bestAggregated)} aggregated/s).`,
    timed.length === 0
      ? `- p50 under ${GOAL_P50_MS} ms before the on-chain transaction: not measured in this run (no 3-operator row with request → aggregate times).`
      : `- p50 under ${GOAL_P50_MS} ms before the on-chain transaction (request → the leader's aggregate, 3 operators): ${p50Verdict}.`,
  ];
  return [
    `Measured ${r.date} by \`pnpm --filter @avs/bench bench:e2e\`: one fresh devnet per row, ${r.warmupSeconds} s warm-up, then the measured window (seconds per row in the JSON). Machine: ${r.machine.cpuModel}, ${r.machine.nproc} CPUs, Node ${r.machine.node}, 1-minute load average ${r.machine.loadAverage1m} at the start.`,
    table,
    '### Goals (issue 12)',
    verdicts.join('\n'),
    '### Notes',
    r.notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n\n');
}
