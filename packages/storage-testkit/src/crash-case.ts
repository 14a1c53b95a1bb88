import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, onTestFinished } from 'vitest';
import { type CrashLine, parseCrashLine } from './crash-protocol.js';
import { expectInitialState, expectMatches, type OpenedStorage } from './harness.js';
import type { LogModel } from './log-model.js';
import { modelFromStorage, observe, plainEntry, plainSnapshot } from './model-check.js';
import { type OperationDescription, operationFrom } from './random-operations.js';
import { SeededRandom } from './seeded-random.js';
import type { CrashOptions } from './storage-factory.js';
import type { CaseRegistrar } from './suite-context.js';

const here = fileURLToPath(import.meta.url);
/** The child script sits next to this module, as `.ts` in sources and `.js` once built. */
const childScript = join(dirname(here), `crash-child${here.endsWith('.ts') ? '.ts' : '.js'}`);
/** tsx is resolved from this package's directory (the child's working directory). */
const packageDir = join(dirname(here), '..');

/** What one killed child reported. */
interface ChildRun {
  readonly lines: CrashLine[];
  readonly killed: boolean;
  readonly stderr: string;
  readonly exitCode: number | null;
}

/** Children still running, killed when their test ends (e.g. on a timeout), so none outlives the suite. */
const running = new Set<ChildProcess>();

/** Runs the crash child until it has acknowledged `acks` writes, then kills it with SIGKILL. */
function runChild(crash: CrashOptions, location: string, seed: number, acks: number): Promise<ChildRun> {
  const execArgv = crash.execArgv ?? ['--conditions=@avs/source', '--import', 'tsx'];
  const child = spawn(process.execPath, [...execArgv, childScript, crash.module, location, String(seed)], {
    cwd: packageDir,
    env: { ...process.env, ...crash.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: CrashLine[] = [];
  let buffered = '';
  let stderr = '';
  let acked = 0;
  let killed = false;
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = parseCrashLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (line.kind === 'ack') acked++;
        if (acked >= acks && !killed) {
          killed = child.kill('SIGKILL');
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.on('error', reject);
    // 'close' waits for stdout to drain: every line written before the kill is in `lines`.
    child.on('close', (exitCode) => {
      running.delete(child);
      resolve({ lines, killed, stderr, exitCode });
    });
  });
}

/**
 * Checks the recovered storage against the acknowledged writes. With no write
 * in flight it must match exactly; with one in flight, each part of the state
 * must come from either the acknowledged model or the one with the in-flight
 * write applied (a write that never resolved may or may not have landed).
 */
async function expectRecovered(
  opened: OpenedStorage,
  acked: LogModel,
  inFlight: OperationDescription | undefined,
): Promise<void> {
  if (!inFlight) {
    expectInitialState(opened, acked);
    await expectMatches(opened, acked);
    return;
  }
  const landed = acked.clone();
  operationFrom(inFlight).applyToModel(landed);
  const seen = await observe(opened.reader);
  const context = `in-flight write ${JSON.stringify(inFlight)}`;
  expect([acked.hardState, landed.hardState], context).toContainEqual({ ...opened.initial.hardState });
  expect([plainSnapshot(acked.snapshot), plainSnapshot(landed.snapshot)], context).toContainEqual(
    seen.snapshot,
  );
  const lowOffset = Math.min(acked.offset, landed.offset);
  const highOffset = Math.max(acked.offset, landed.offset);
  expect(seen.firstIndex - 1, context).toBeGreaterThanOrEqual(lowOffset);
  expect(seen.firstIndex - 1, context).toBeLessThanOrEqual(highOffset);
  // Acknowledged entries the in-flight write did not replace must all be there.
  const touchedFrom = inFlight.op === 'save' ? (inFlight.snapshot ? 0 : inFlight.from) : Infinity;
  const required = Math.min(acked.lastIndex(), touchedFrom - 1);
  expect(seen.lastIndex, context).toBeGreaterThanOrEqual(required);
  for (const entry of seen.entries) {
    const options = [acked.entry(entry.index), landed.entry(entry.index)].flatMap((e) =>
      e ? [plainEntry(e)] : [],
    );
    expect(options, `${context}: entry ${entry.index}`).toContainEqual(entry);
  }
  // Raft restarts only with the commit index inside the log.
  expect(opened.initial.hardState.commit, context).toBeLessThanOrEqual(seen.lastIndex);
}

/** The crash case: kill a writing child with SIGKILL, reopen, check, repeat. */
export function registerCrashCase(test: CaseRegistrar): void {
  test(
    'crash with SIGKILL',
    async (h, options, factory) => {
      const crash = factory.crash;
      if (!crash) throw new Error('unreachable: case registered without crash options');
      onTestFinished(() => {
        for (const child of running) child.kill('SIGKILL');
      });
      const rng = new SeededRandom(options.seed ?? 1);
      let opened = await h.open();
      let model = await modelFromStorage(opened.reader, opened.initial);
      await opened.storage.close();
      for (let round = 0; round < (crash.rounds ?? 3); round++) {
        const seed = (options.seed ?? 1) * 1000 + round;
        const run = await runChild(crash, h.location, seed, rng.int(10, 150));
        const describe = `round ${round} (child seed ${seed}), child stderr:\n${run.stderr}`;
        expect(
          run.killed,
          `the crash child stopped before it was killed (exit ${run.exitCode}); ${describe}`,
        ).toBe(true);
        const ready = run.lines[0];
        expect(ready, describe).toEqual({
          kind: 'ready',
          firstIndex: model.firstIndex(),
          lastIndex: model.lastIndex(),
        });
        let inFlight: OperationDescription | undefined;
        for (const line of run.lines) {
          if (line.kind === 'begin') inFlight = line.operation;
          if (line.kind === 'ack') {
            if (!inFlight) throw new Error(`ack ${line.seq} without a begin; ${describe}`);
            operationFrom(inFlight).applyToModel(model);
            inFlight = undefined;
          }
        }
        opened = await h.open();
        await expectRecovered(opened, model, inFlight);
        model = await modelFromStorage(opened.reader, opened.initial);
        await opened.storage.close();
      }
    },
    { timeoutMs: 180_000 },
  );
}
