/**
 * `pnpm --filter @avs/bench bench`: runs apps/kv against etcd, writes
 * `bench-results/kv-vs-etcd.json`, then rebuilds `docs/benchmarks.md` from
 * every JSON file in `bench-results/`.
 *
 *   --smoke         tiny counts (seconds); results go to a temp dir unless --results-dir is given
 *   --report-only   only rebuild the report
 *   --no-install    do not apt-get install etcd-server when etcd is missing
 *   --results-dir / --doc   override where results and the report go
 *
 * Quick subsets (results go to a temp dir unless --results-dir is given, the report is not touched):
 *   --in-flight 1,64    only these in-flight levels
 *   --workloads write   only writes (or `read`, or `write,read`)
 *   --duration-ms 4000  time bound per cell
 *   --no-profile        skip the CPU-profiled leader run
 *   --kv-source         run kv from its TypeScript sources (no build needed)
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FULL_OPTIONS, runKvVsEtcd, SMOKE_OPTIONS } from './kv-vs-etcd.js';
import { writeReport } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      'report-only': { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      doc: { type: 'string' },
      'in-flight': { type: 'string' },
      workloads: { type: 'string' },
      'duration-ms': { type: 'string' },
      'no-profile': { type: 'boolean', default: false },
      'kv-source': { type: 'boolean', default: false },
    },
  });
  const levels = values['in-flight'] === undefined ? undefined : listOf(values['in-flight'], '--in-flight');
  const workloads =
    values.workloads === undefined
      ? undefined
      : workloadsOf(values.workloads.split(',').map((w) => w.trim()));
  const durationMs =
    values['duration-ms'] === undefined ? undefined : listOf(values['duration-ms'], '--duration-ms')[0];
  const subset = levels !== undefined || workloads !== undefined || durationMs !== undefined;
  const smoke = values.smoke === true;
  const scratch = smoke || subset;
  const resultsDir =
    values['results-dir'] ??
    (scratch ? mkdtempSync(join(tmpdir(), 'avs-bench-smoke-')) : join(root, 'bench-results'));
  const docPath =
    values.doc ?? (scratch ? join(resultsDir, 'benchmarks.md') : join(root, 'docs', 'benchmarks.md'));
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  if (!values['report-only']) {
    const base = smoke ? SMOKE_OPTIONS : FULL_OPTIONS;
    const result = await runKvVsEtcd({
      ...base,
      installEtcd: base.installEtcd && !values['no-install'],
      ...(levels ? { levels } : {}),
      ...(workloads ? { workloads } : {}),
      ...(durationMs ? { maxDurationMs: durationMs } : {}),
      ...(values['no-profile'] ? { profileMs: 0 } : {}),
      kvFromSource: values['kv-source'] === true,
      log,
    });
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, 'kv-vs-etcd.json');
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${file}`);
    for (const g of result.goals) {
      log(
        `goal: ${g.goal}: ${g.measured === null ? 'n/a' : `${g.measured.toFixed(2)}×`} ${g.met === null ? '' : g.met ? 'met' : 'NOT met'}`,
      );
    }
  }
  const written = writeReport(resultsDir, docPath);
  log(`wrote ${written.docPath} and ${written.charts.length} chart(s)`);
}

/** Parses `1,64` into positive integers. @throws BenchUsageError */
function listOf(text: string, flag: string): number[] {
  const out = text.split(',').map((x) => Number(x.trim()));
  if (out.length === 0 || out.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new BenchUsageError(
      `${flag} expects positive integers separated by commas, got ${JSON.stringify(text)}`,
    );
  }
  return out;
}

function workloadsOf(names: string[]): ('write' | 'read')[] {
  if (names.length === 0 || names.some((n) => n !== 'write' && n !== 'read')) {
    throw new BenchUsageError(
      `--workloads expects write, read or write,read, got ${JSON.stringify(names.join(','))}`,
    );
  }
  return names as ('write' | 'read')[];
}

/** A command-line flag has an invalid value. */
class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BENCH_USAGE';
}

main().catch((error) => {
  process.stderr.write(
    `[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
