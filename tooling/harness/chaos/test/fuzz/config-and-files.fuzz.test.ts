/**
 * Fuzzing of the decoders that read files or flags: the kv server's flags and
 * environment (`parseServerConfig`), BLS keystore files (`@avs/bls`), and
 * `@avs/storage-file` segment files corrupted on disk (reopened after random
 * byte flips, truncation and garbage). Each must either succeed or throw its
 * package's typed error, never anything else and never hang.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BlsError,
  BlsKeyPair,
  decryptKeystore,
  encryptKeystore,
  LIGHT_SCRYPT,
  readKeystorePublicKey,
} from '@avs/bls';
import { KvError, parseServerConfig } from '@avs/kv';
import { EntryType, RaftError, silentLogger } from '@avs/raft-core';
import { FileStorage } from '@avs/storage-file';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FuzzTally, fuzzRuns } from '../../src/fuzz-budget.js';

const tally = new FuzzTally();
const dirs: string[] = [];
afterAll(() => {
  tally.flush();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('kv server flags and environment', () => {
  const flagArb = fc.constantFrom(
    '--id',
    '--peers',
    '--clients',
    '--data-dir',
    '--storage',
    '--join',
    '--tick-ms',
    '--election-ticks',
    '--peer-port',
    '--secret-file',
    '--snapshot-entries',
    '--log-level',
    '--help',
    '--bogus',
    '-x',
  );
  const valueArb = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom(
      'n1',
      'n1=http://127.0.0.1:7001',
      'n1=http://127.0.0.1:7001,n2=ftp://x',
      '0',
      '-1',
      '1e9',
      'NaN',
      '/tmp/x',
      'file',
      'level',
    ),
  );
  it('parseServerConfig returns a config or throws KvError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(flagArb, valueArb), { maxLength: 16 }),
        fc.dictionary(
          fc.constantFrom('AVS_KV_ID', 'AVS_KV_SECRET', 'AVS_KV_PEERS', 'AVS_KV_TICK_MS', 'AVS_KV_STORAGE'),
          valueArb,
        ),
        (argv, env) => {
          tally.hit('kv server flags/env (parseServerConfig)');
          try {
            parseServerConfig(argv, env);
          } catch (error) {
            expect(error).toBeInstanceOf(KvError);
          }
        },
      ),
      { numRuns: fuzzRuns(300) },
    );
  });
});

/** Keystore cases each run a (light) scrypt: at the full run's 10 000, 240 s was not always enough on a shared machine. */
const keystoreRuns = fuzzRuns(20);

describe('BLS keystore files', () => {
  it(
    'readKeystorePublicKey and decryptKeystore throw only BlsError on generated or mutated files',
    async () => {
      const pair = BlsKeyPair.fromSecretKey(123456789n);
      const valid = JSON.stringify(await encryptKeystore(pair, 'pw', { scrypt: LIGHT_SCRYPT }));
      const mutated = fc
        .tuple(fc.nat(valid.length - 1), fc.string({ minLength: 0, maxLength: 4 }), fc.nat(3))
        .map(([at, insert, cut]) => valid.slice(0, at) + insert + valid.slice(at + cut));
      await fc.assert(
        fc.asyncProperty(fc.oneof(mutated, fc.string({ maxLength: 100 }), fc.json()), async (file) => {
          tally.hit('BLS keystore files');
          for (const attempt of [() => readKeystorePublicKey(file), () => decryptKeystore(file, 'pw')]) {
            try {
              await attempt();
            } catch (error) {
              expect(error, String(error)).toBeInstanceOf(BlsError);
            }
          }
        }),
        { numRuns: keystoreRuns },
      );
    },
    Math.max(240_000, keystoreRuns * 60),
  );
});

describe('storage-file segments corrupted on disk', () => {
  it('reopening either succeeds (a torn tail repaired) or throws a typed RaftError', async () => {
    const seed = mkdtempSync(join(tmpdir(), 'avs-chaos-seg-'));
    dirs.push(seed);
    const storage = await FileStorage.open({ dir: seed, logger: silentLogger });
    await storage.initialState();
    const data = new TextEncoder().encode('x'.repeat(100));
    for (let i = 1; i <= 50; i += 10) {
      await storage.save({
        hardState: { term: 1, vote: 'n1', commit: i - 1 },
        entries: Array.from({ length: 10 }, (_, j) => ({
          index: i + j,
          term: 1,
          type: EntryType.Normal,
          data,
        })),
      });
    }
    await storage.close();
    const files = readdirSync(seed, { recursive: true })
      .map(String)
      .filter((f) => statSync(join(seed, f)).isFile() && !f.endsWith('.lock'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...files),
        fc.oneof(
          fc.record({
            kind: fc.constant('flip' as const),
            at: fc.nat(),
            bits: fc.integer({ min: 1, max: 255 }),
          }),
          fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
          fc.record({
            kind: fc.constant('garbage' as const),
            at: fc.nat(),
            bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }),
          }),
        ),
        async (file, damage) => {
          tally.hit('storage-file segment and metadata files');
          const dir = mkdtempSync(join(tmpdir(), 'avs-chaos-seg-'));
          dirs.push(dir);
          cpSync(seed, dir, { recursive: true });
          const bytes = readFileSync(join(dir, file));
          const at = bytes.length === 0 ? 0 : damage.at % bytes.length;
          let out: Uint8Array;
          if (damage.kind === 'flip') {
            out = Uint8Array.from(bytes);
            if (out.length > 0) out[at] = (out[at] ?? 0) ^ damage.bits;
          } else if (damage.kind === 'truncate') out = bytes.subarray(0, at);
          else
            out = Buffer.concat([
              bytes.subarray(0, at),
              damage.bytes,
              bytes.subarray(at + damage.bytes.length),
            ]);
          writeFileSync(join(dir, file), out);
          try {
            const s = await FileStorage.open({ dir, logger: silentLogger });
            try {
              await s.initialState();
            } finally {
              await s.close();
            }
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(RaftError);
          }
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: fuzzRuns(40) },
    );
  });
});
