import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FuzzTally } from './fuzz-budget.js';

describe('FuzzTally.flush', () => {
  const dir = mkdtempSync(join(tmpdir(), 'avs-fuzz-tally-'));
  const saved = process.env.AVS_CHAOS_FUZZ_OUT;
  afterEach(() => {
    if (saved === undefined) delete process.env.AVS_CHAOS_FUZZ_OUT;
    else process.env.AVS_CHAOS_FUZZ_OUT = saved;
  });

  it('reads an existing empty file as no counts, then adds to what later suites wrote', () => {
    const out = join(dir, 'empty.json');
    writeFileSync(out, '');
    process.env.AVS_CHAOS_FUZZ_OUT = out;
    const first = new FuzzTally();
    first.hit('a');
    first.hit('a');
    first.flush();
    const second = new FuzzTally();
    second.hit('a');
    second.hit('b');
    second.flush();
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ a: 3, b: 1 });
    rmSync(dir, { recursive: true, force: true });
  });
});
