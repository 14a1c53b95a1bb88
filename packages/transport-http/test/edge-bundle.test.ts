import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, type WorkerBundle } from './edge/bundle-worker.js';

/** The budget for transport-http's worker (server + client), minified. */
const BUDGET_BYTES = 150 * 1024;

describe('transport-http bundled as a Cloudflare Worker', () => {
  let bundle: WorkerBundle;
  const dir = mkdtempSync(join(tmpdir(), 'edge-bundle-'));
  beforeAll(async () => {
    bundle = await bundleWorker(new URL('./edge/edge-worker.ts', import.meta.url));
    // One line for the CI log, so a growing bundle is visible before it fails.
    console.log(
      `edge worker bundle: ${bundle.bytes} bytes minified (budget ${BUDGET_BYTES});`,
      bundle.byPackage
        .slice(0, 5)
        .map(([name, bytes]) => `${name} ${bytes}`)
        .join(', '),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`stays within ${BUDGET_BYTES / 1024} KB minified`, () => {
    expect(bundle.bytes).toBeLessThanOrEqual(BUDGET_BYTES);
    // zod's classic API alone is ~450 KB: only zod/mini may be in the bundle.
    const zod = bundle.byPackage.find(([name]) => name === 'zod')?.[1] ?? 0;
    expect(zod).toBeLessThan(60 * 1024);
  });

  it('touches no randomness, timer or network while the module loads', () => {
    const file = join(dir, 'worker.mjs');
    writeFileSync(file, bundle.code);
    const probe = fileURLToPath(new URL('./edge/load-probe.mjs', import.meta.url));
    const calls = JSON.parse(
      execFileSync(process.execPath, [probe, pathToFileURL(file).href], { encoding: 'utf8' }),
    );
    expect(calls).toEqual([]);
  });
});
