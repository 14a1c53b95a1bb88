/**
 * The report's end-to-end section, rendered from `bench-results/devnet.json`
 * (written by `src/devnet-e2e.ts`), with issue #19's goals judged honestly,
 * each next to the load average its row was measured at.
 */
import type { DevnetResult, DevnetRow } from './devnet-e2e.js';
import { formatNumber } from './package-results.js';

/** Issue #19's goals. */
export const GOALS = {
  verifiedPerSecWith3: 300,
  sustainedSeconds: 60,
  p50AggregateMsWith3: 50,
  verifiedPerSecWith100: 50,
  p50AggregateMsWith100: 500,
  gasPerTaskAt64: 20_000,
  verifiedPerCreated: 0.95,
} as const;

const orNa = (v: number | null | undefined): string =>
  v === null || v === undefined ? 'n/a' : formatNumber(v);
const load = (x: DevnetRow) =>
  `load ${orNa(x.loadAverage1m)}${x.loadAverageEnd1m === undefined ? '' : `→${orNa(x.loadAverageEnd1m)}`}`;
const contracts = (x: DevnetRow) =>
  `${x.chain ?? 'avs-raft'}, ${x.batchMaxTasks ? `batch ${x.batchMaxTasks}` : 'single responses'}${x.maxVoters ? `, ${x.maxVoters} voters` : ''}`;
const met = (ok: boolean) => (ok ? '**met**' : '**NOT met**');

/** One verdict line per goal, from the rows (and the gas per task at 64 from chain.json, when known). */
function verdicts(rows: readonly DevnetRow[], gasAt64: number | undefined): string[] {
  const ok = rows.filter((x) => x.error === undefined);
  const three = ok.filter((x) => x.operators === 3 && (x.chain ?? 'avs-raft') === 'avs-raft');
  const hundred = ok.filter((x) => x.operators >= 100);
  const lines: string[] = [];
  const sustained = three.filter((x) => x.measuredSeconds >= GOALS.sustainedSeconds);
  const best = sustained.sort((a, b) => b.verifiedPerSec - a.verifiedPerSec)[0];
  lines.push(
    best === undefined
      ? `- 3 operators, verified on-chain/s sustained ${GOALS.sustainedSeconds} s (goal ≥ ${GOALS.verifiedPerSecWith3}): not measured in this run.`
      : `- 3 operators, verified on-chain/s sustained ${GOALS.sustainedSeconds} s (goal ≥ ${GOALS.verifiedPerSecWith3}): ${met(best.verifiedPerSec >= GOALS.verifiedPerSecWith3)}: ${formatNumber(best.verifiedPerSec)}/s (${formatNumber(best.aggregatedPerSec)} aggregated/s, ${formatNumber(best.createdPerSec)} created/s; ${load(best)}).`,
  );
  const p50 = (rs: DevnetRow[], goal: number, label: string) => {
    const at10 = rs.filter(
      (x) => x.taskRate === 10 && x.aggregateP50Ms !== null && x.aggregateP50Ms !== undefined,
    );
    return at10.length === 0
      ? `- ${label}, p50 request → aggregate at 10 tasks/s (goal ≤ ${goal} ms): not measured in this run.`
      : `- ${label}, p50 request → aggregate at 10 tasks/s (goal ≤ ${goal} ms): ${at10
          .map(
            (x) =>
              `${met((x.aggregateP50Ms as number) <= goal)}: ${formatNumber(x.aggregateP50Ms as number)} ms (p99 ${orNa(x.aggregateP99Ms)}; ${contracts(x)}; ${load(x)})`,
          )
          .join('; ')}.`;
  };
  lines.push(p50(three, GOALS.p50AggregateMsWith3, '3 operators'));
  const best100 = hundred.sort((a, b) => b.verifiedPerSec - a.verifiedPerSec)[0];
  lines.push(
    best100 === undefined
      ? `- 100 operators, verified/s (goal ≥ ${GOALS.verifiedPerSecWith100}): not measured in this run.`
      : `- ${best100.operators} operators, verified/s (goal ≥ ${GOALS.verifiedPerSecWith100}): ${met(best100.verifiedPerSec >= GOALS.verifiedPerSecWith100)}: ${formatNumber(best100.verifiedPerSec)}/s at ${formatNumber(best100.createdPerSec)} created/s (${contracts(best100)}; ${orNa(best100.operatorsRssMiB)} MiB RSS, ${orNa(best100.operatorsCpuCores)} cores; ${load(best100)}).`,
  );
  lines.push(p50(hundred, GOALS.p50AggregateMsWith100, '100 operators'));
  // Below saturation: the cluster aggregated (nearly) what was created.
  const unsaturated = ok.filter(
    (x) => x.createdPerSec > 0 && x.aggregatedPerSec >= 0.9 * x.createdPerSec && x.verifiedPerCreated != null,
  );
  lines.push(
    unsaturated.length === 0
      ? `- verified/s ÷ created/s below saturation (goal ≥ ${GOALS.verifiedPerCreated}): no row below saturation in this run.`
      : `- verified/s ÷ created/s below saturation (goal ≥ ${GOALS.verifiedPerCreated}): ${unsaturated
          .map(
            (x) =>
              `${met((x.verifiedPerCreated as number) >= GOALS.verifiedPerCreated)}: ${formatNumber(x.verifiedPerCreated as number)} (${x.operators} operators, ${formatNumber(x.createdPerSec)} created/s, ${contracts(x)}; ${load(x)})`,
          )
          .join('; ')}.`,
  );
  lines.push(
    gasAt64 === undefined
      ? `- gas per task, batch of 64 (goal ≤ ${formatNumber(GOALS.gasPerTaskAt64)}): not in bench-results/chain.json.`
      : `- gas per task, batch of 64 (goal ≤ ${formatNumber(GOALS.gasPerTaskAt64)}): ${met(gasAt64 <= GOALS.gasPerTaskAt64)}: ${formatNumber(gasAt64)} (bench-results/chain.json \`batch\`).`,
  );
  return lines;
}

/** Markdown for the end-to-end section, or the "not measured yet" text when there is no result. */
export function devnetSection(r: DevnetResult | undefined, gasAt64?: number): string {
  if (r === undefined || !Array.isArray(r.rows) || r.rows.length === 0) {
    return [
      '**Not measured yet:** run `pnpm --filter @avs/bench bench:e2e` (writes `bench-results/devnet.json`).',
      `Goals (issue 19): at least ${GOALS.verifiedPerSecWith3} verified tasks/s with 3 operators for ${GOALS.sustainedSeconds} s; p50 request → aggregate at most ${GOALS.p50AggregateMsWith3} ms at 10 tasks/s.`,
    ].join('\n\n');
  }
  const table = [
    '| operators | contracts | rate asked (requests/s) | tasks created /s | aggregated /s | verified on-chain /s | verified ÷ created | p50 request → aggregate (ms) | p99 → aggregate (ms) | p50 request → verified (ms) | p99 → verified (ms) | leader CPU ms / task | all operators CPU ms / task | operators CPU ms / aggregated task | operators CPU (cores) | operators RSS (MiB) | expired | failed | leader changes | seconds | load average (start→end) |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map((x) =>
      x.error !== undefined
        ? `| ${x.operators} | ${contracts(x)} | ${x.taskRate} | failed: ${x.error.replaceAll('|', '\\|')} | | | | | | | | | | | | | | | | | |`
        : `| ${x.operators} | ${contracts(x)} | ${x.taskRate} | ${formatNumber(x.createdPerSec)} | ${orNa(x.aggregatedPerSec)} | ${formatNumber(x.verifiedPerSec)} | ${orNa(x.verifiedPerCreated)} | ${orNa(x.aggregateP50Ms)} | ${orNa(x.aggregateP99Ms)} | ${orNa(x.latencyP50Ms)} | ${orNa(x.latencyP99Ms)} | ${orNa(x.leaderCpuMsPerTask)} | ${orNa(x.operatorsCpuMsPerTask)} | ${orNa(x.operatorsCpuMsPerAggregated)} | ${orNa(x.operatorsCpuCores)} | ${orNa(x.operatorsRssMiB)} | ${x.expired} | ${x.failed} | ${x.leaderChanges} | ${formatNumber(x.measuredSeconds)} | ${orNa(x.loadAverage1m)}→${orNa(x.loadAverageEnd1m)} |`,
    ),
  ].join('\n');
  return [
    `Measured ${r.date} by \`pnpm --filter @avs/bench bench:e2e\` (cells chosen with \`--cells\`): one fresh devnet per row, ${r.warmupSeconds} s warm-up, then the measured window. Machine: ${r.machine.cpuModel}, ${r.machine.nproc} CPUs, Node ${r.machine.node}, shared with other work: read every figure with its load average.`,
    table,
    '### Goals (issue 19)',
    verdicts(r.rows, gasAt64).join('\n'),
    '### Notes',
    r.notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n\n');
}
