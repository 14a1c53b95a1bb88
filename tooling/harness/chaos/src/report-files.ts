/**
 * The report's files: `docs/reliability.json` (every figure of the last run,
 * plus the last devnet run) and `docs/reliability.md` rendered from it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DevnetRun } from './devnet-report.js';
import { type ReliabilityRun, renderReport } from './report.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const jsonPath = join(repoRoot, 'docs', 'reliability.json');
const mdPath = join(repoRoot, 'docs', 'reliability.md');

/** The machine line of the report: cores, memory, Node, load average now. */
export function describeMachine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average at the end ${loadavg()[0]?.toFixed(1)} (shared machine)`;
}

/** The run recorded in `docs/reliability.json`, if any. */
export function readRecordedRun(): ReliabilityRun | undefined {
  try {
    return JSON.parse(readFileSync(jsonPath, 'utf8')) as ReliabilityRun;
  } catch {
    return undefined;
  }
}

/** Writes `docs/reliability.json` and `docs/reliability.md` for a run. */
export function writeReport(run: ReliabilityRun): void {
  writeFileSync(mdPath, renderReport(run));
  writeFileSync(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
}

/** Re-renders `docs/reliability.md` from `docs/reliability.json`. */
export function rerenderReport(): void {
  const run = readRecordedRun();
  if (!run) throw new Error(`${jsonPath} is missing: run \`pnpm --filter @avs/chaos chaos\` first`);
  writeFileSync(mdPath, renderReport(run));
}

/**
 * Records a devnet run in `docs/reliability.json`, keeping the rest, and re-renders the markdown.
 * @throws Error when there is no recorded run to add it to
 */
export function recordDevnetRun(run: Omit<DevnetRun, 'machine'>): void {
  const previous = readRecordedRun();
  if (!previous) throw new Error(`${jsonPath} is missing: run \`pnpm --filter @avs/chaos chaos\` first`);
  writeReport({ ...previous, devnet: { ...run, machine: describeMachine() } });
}
