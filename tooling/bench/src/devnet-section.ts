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
    '| operators | task rate asked (/s) | created /s | verified on-chain /s | p50 request → verified (ms) | p99 (ms) | leader CPU ms / task | all operators CPU ms / task | expired | failed | leader changes |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map((x) =>
      x.error !== undefined
        ? `| ${x.operators} | ${x.taskRate} | failed: ${x.error.replaceAll('|', '\\|')} | | | | | | | | |`
        : `| ${x.operators} | ${x.taskRate} | ${formatNumber(x.createdPerSec)} | ${formatNumber(x.verifiedPerSec)} | ${formatNumber(x.latencyP50Ms)} | ${formatNumber(x.latencyP99Ms)} | ${orNa(x.leaderCpuMsPerTask)} | ${orNa(x.operatorsCpuMsPerTask)} | ${x.expired} | ${x.failed} | ${x.leaderChanges} |`,
    ),
  ].join('\n');
  const three = r.rows.filter((x) => x.operators === 3 && x.error === undefined);
  const best = three.reduce((m, x) => Math.max(m, x.verifiedPerSec), 0);
  const bestP50 = three.reduce((m, x) => Math.min(m, x.latencyP50Ms), Number.POSITIVE_INFINITY);
  const verdicts = [
    three.length === 0
      ? `- ${GOAL_TASKS_PER_SEC} tasks/s with 3 operators: not measured in this run.`
      : `- ${GOAL_TASKS_PER_SEC} tasks/s with 3 operators: **${best >= GOAL_TASKS_PER_SEC ? 'met' : 'NOT met'}** (best ${formatNumber(best)} verified/s).`,
    three.length === 0
      ? `- p50 under ${GOAL_P50_MS} ms before the on-chain transaction: not measured in this run.`
      : `- p50 under ${GOAL_P50_MS} ms before the on-chain transaction: **not measured directly** (the devnet timestamps only request and on-chain verification); the lowest p50 request → verified with 3 operators is ${formatNumber(bestP50)} ms${bestP50 < GOAL_P50_MS ? ', so the goal is met' : ', which does not show the goal met'}.`,
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
