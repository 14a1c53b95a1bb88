/**
 * The devnet part of `docs/reliability.md`: the last devnet chaos run
 * (faults, tasks checked, the exactly-once result, recovery p50/max), kept in
 * `docs/reliability.json` under `devnet` (see `report-files.ts`) so that
 * either command re-renders the whole report without losing the other's figures.
 */
import type { DevnetFaultKind, DevnetScenarioResult } from './devnet-scenario.js';
import { percentile } from './percentile.js';

/** One devnet chaos run as the report keeps it. */
export interface DevnetRun {
  /** The command that ran it. */
  readonly command?: string;
  readonly startedAt: string;
  readonly machine: string;
  readonly passed: boolean;
  readonly result: DevnetScenarioResult;
}

/** `kills` leader kills and `partitions` leader partitions, interleaved, a kill first. */
export function devnetPlan(kills: number, partitions: number): DevnetFaultKind[] {
  const plan: DevnetFaultKind[] = [];
  for (let i = 0; i < Math.max(kills, partitions); i++) {
    if (i < kills) plan.push('kill-leader');
    if (i < partitions) plan.push('partition-leader');
  }
  return plan;
}

const FAULT_TEXT: Record<DevnetFaultKind, string> = {
  'kill-leader': 'SIGKILL of the leading operator; restarted from its data directory after 1.5 s',
  'partition-leader':
    'the leading operator cut off from every other operator, both directions, for 4 s (then healed)',
};

/** The devnet section of the report (markdown lines). */
export function renderDevnetSection(run: DevnetRun | undefined): string[] {
  if (!run) {
    return [
      '## Operator devnet',
      '',
      'Not run yet: `pnpm --filter @avs/chaos chaos:devnet` records it here.',
      '',
    ];
  }
  const r = run.result;
  const lines = [
    '## Operator devnet (tasks on a real chain under leader kills and partitions)',
    '',
    `From \`${run.command ?? 'pnpm --filter @avs/chaos chaos:devnet'}\` on ${run.startedAt}, ${run.machine}; the devnet part took`,
    `${(r.durationMs / 1000).toFixed(0)} s. Verdict: **${run.passed ? 'PASS' : 'FAIL'}**.`,
    '',
    `${r.operators} operator processes (\`apps/operator\`, file storage) on an anvil chain with the AVS contracts; each`,
    "operator's traffic to the others (Raft, engine calls, the join) goes through one fault proxy per ordered pair",
    '(the operator config `cluster.dialUrls`). The devnet driver creates tasks on-chain (2 requests/s, every fifth an',
    'oracle request of three tasks; threshold 66 %, so any 2 of 3 equal-stake operators answer; task timeout 30 s) and',
    'hands them to the leader. Faults, one after another, each once every operator is up and agrees on a leader:',
    '',
    '| fault | what it does |',
    '| --- | --- |',
    ...Object.entries(FAULT_TEXT).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
    'Recovery: from the fault until an operator other than the one hit leads in a later term (seen through the',
    "operators' status routes, polled every 500 ms).",
    '',
    '| fault | injected | recovered | recovery p50 (ms) | recovery max (ms) |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const kind of Object.keys(FAULT_TEXT) as DevnetFaultKind[]) {
    const times = r.faults
      .filter((f) => f.kind === kind)
      .map((f) => f.recoveryMs)
      .sort((a, b) => a - b);
    if (times.length === 0) continue;
    lines.push(
      `| \`${kind}\` | ${times.length} | ${times.length} | ${percentile(times, 50)} | ${times.at(-1)} |`,
    );
  }
  lines.push(
    '',
    'Then task creation is paused and the on-chain task count taken as the cutoff; the tasks below it get a bounded',
    'time to settle, and every `TaskResponded` event since the deployment is counted per task (duplicates included).',
    '',
    '| tasks checked | exactly one response | expired / failed | unsettled | tasks with two or more responses | operators crashed | processes left |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${r.cutoff} | ${r.responded} | ${r.expired} | ${r.unsettled.length} | ${r.duplicates.length} | ${(r.crashed ?? []).length} | ${r.leftBehind.length} |`,
    '',
    `Task latency (created on-chain to verified, the tasks checked): p50 ${r.latencyMs.p50} ms, max ${r.latencyMs.max} ms.`,
    '',
    '<details><summary>devnet fault log</summary>',
    '',
    ...r.faults.map((f) => `- \`${f.kind}\` of ${f.target}: ${f.newLeader} led after ${f.recoveryMs} ms`),
    '',
    '</details>',
    '',
  );
  return lines;
}
