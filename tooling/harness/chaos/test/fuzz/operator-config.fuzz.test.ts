/**
 * Fuzzing of the operator's config files (apps/operator): generated and
 * mutated config documents, parsed and loaded from disk. Each must either be
 * accepted or refused with `OperatorConfigError`, never anything else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOperatorConfig, OperatorConfigError, parseOperatorConfig } from '@avs/operator';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FuzzTally, fuzzRuns } from '../../src/fuzz-budget.js';

const tally = new FuzzTally();
const dir = mkdtempSync(join(tmpdir(), 'avs-chaos-opcfg-'));
afterAll(() => {
  tally.flush();
  rmSync(dir, { recursive: true, force: true });
});

const valid = {
  rpcUrl: 'http://127.0.0.1:8545',
  chainId: 31337,
  contracts: {
    operatorRegistry: `0x${'11'.repeat(20)}`,
    operatorStateRetriever: `0x${'22'.repeat(20)}`,
    taskManager: `0x${'33'.repeat(20)}`,
  },
  keys: { ecdsaKeystore: './ecdsa.json', blsKeystore: './bls.json' },
  server: { port: 9000 },
};
const validText = JSON.stringify(valid, null, 2);

const mutatedText = fc
  .tuple(fc.nat(validText.length - 1), fc.string({ maxLength: 6 }), fc.nat(4))
  .map(([at, insert, cut]) => validText.slice(0, at) + insert + validText.slice(at + cut));
const mutatedValue = fc
  .tuple(
    fc.constantFrom(
      'rpcUrl',
      'chainId',
      'contracts',
      'keys',
      'server',
      'storage',
      'cluster',
      'avs',
      'engine',
      'extra',
    ),
    fc.anything({ maxDepth: 2 }),
  )
  .map(([k, v]) => ({ ...valid, [k]: v }));

describe('operator config files', () => {
  it('parseOperatorConfig accepts or throws OperatorConfigError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutatedValue,
          fc.anything(),
          fc.json().map((t) => JSON.parse(t)),
        ),
        (value) => {
          tally.hit('operator config (parseOperatorConfig)');
          try {
            parseOperatorConfig(value);
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(OperatorConfigError);
          }
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('loadOperatorConfig on generated files accepts or throws OperatorConfigError', async () => {
    const path = join(dir, 'operator.json');
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedText, fc.string({ maxLength: 200 }), fc.json()), async (text) => {
        tally.hit('operator config files (loadOperatorConfig)');
        writeFileSync(path, text);
        try {
          await loadOperatorConfig(path);
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(OperatorConfigError);
        }
      }),
      { numRuns: fuzzRuns(100) },
    );
  });
});
