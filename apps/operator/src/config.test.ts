import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli/program.js';
import { captureIo } from './cli/test-io.js';
import { minimalConfig } from './config-fixture.js';
import {
  batchingOf,
  loadOperatorConfig,
  OperatorConfigError,
  operatorConfigJsonSchema,
  parseOperatorConfig,
} from './index.js';

const valid = minimalConfig;

describe('operator config', () => {
  it('fills defaults: file storage, squaring AVS, password from AVS_KEY_PASSWORD', () => {
    const config = parseOperatorConfig(valid);
    expect(config.storage).toEqual({ kind: 'file', dir: './data' });
    expect(config.avs.kind).toBe('squaring');
    expect(config.keys.passwordEnv).toBe('AVS_KEY_PASSWORD');
    expect(config.server.host).toBe('127.0.0.1');
  });

  it('batching: on by default for avs-raft (64 tasks, 10 ms), off for eigenlayer, settable either way', () => {
    expect(batchingOf(parseOperatorConfig(valid))).toEqual({ maxTasks: 64, delayMs: 10 });
    const eigen = { ...valid, chain: { kind: 'eigenlayer' } };
    expect(batchingOf(parseOperatorConfig(eigen))).toBeUndefined();
    expect(
      batchingOf(parseOperatorConfig({ ...valid, engine: { batching: { maxTasks: 16, delayMs: 2 } } })),
    ).toEqual({ maxTasks: 16, delayMs: 2 });
    expect(
      batchingOf(parseOperatorConfig({ ...valid, engine: { batching: { enabled: false } } })),
    ).toBeUndefined();
    expect(
      batchingOf(parseOperatorConfig({ ...eigen, engine: { batching: { enabled: true, maxTasks: 8 } } })),
    ).toEqual({ maxTasks: 8, delayMs: 10 });
  });

  it('transactions: fee bumping off by default, settable, and a bump under +10 % refused by field', () => {
    expect(parseOperatorConfig(valid).transactions).toEqual({ bumpPercent: 25, maxBumps: 5 });
    expect(parseOperatorConfig({ ...valid, transactions: { bumpAfterMs: 30_000 } }).transactions).toEqual({
      bumpAfterMs: 30_000,
      bumpPercent: 25,
      maxBumps: 5,
    });
    expect(() => parseOperatorConfig({ ...valid, transactions: { bumpPercent: 5 } }, 'op.json')).toThrow(
      /transactions\.bumpPercent/,
    );
    expect(() => parseOperatorConfig({ ...valid, transactions: { bumpEvery: 1 } }, 'op.json')).toThrow(
      /transactions.*bumpEvery/,
    );
  });

  it('names every wrong field and what it expected', () => {
    const bad = {
      ...valid,
      rpcUrl: 'localhost:8545',
      contracts: { ...valid.contracts, taskManager: '0x1234' },
      server: { port: 70_000 },
      storage: { kind: 'sqlite', dir: 'x' },
      extra: true,
    };
    let error: unknown;
    try {
      parseOperatorConfig(bad, 'op.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OperatorConfigError);
    const message = (error as Error).message;
    expect(message).toContain('op.json');
    expect(message).toMatch(/rpcUrl: expected an http:\/\/ or https:\/\/ URL/);
    expect(message).toMatch(/contracts\.taskManager: expected a 0x-prefixed 20-byte address/);
    expect(message).toMatch(/server\.port/);
    expect(message).toMatch(/storage\.kind/);
    expect(message).toMatch(/extra/);
  });

  it('reads a file, resolving key and storage paths against its directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-config-'));
    const path = join(dir, 'operator.json');
    await writeFile(path, JSON.stringify(valid));
    const config = await loadOperatorConfig(path);
    expect(config.keys.ecdsaKeystore).toBe(join(dir, 'keys/ecdsa.keystore.json'));
    expect(config.storage).toEqual({ kind: 'file', dir: join(dir, 'data') });
  });

  it('says which file is missing or not JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-config-'));
    await expect(loadOperatorConfig(join(dir, 'nope.json'))).rejects.toThrow(
      /cannot read config file .*nope\.json/,
    );
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "rpcUrl": ');
    await expect(loadOperatorConfig(path)).rejects.toThrow(/broken\.json: not valid JSON/);
  });

  // One bad field at a time through the CLI: the exact line printed, exit code 2.
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'engine field of the wrong type',
      { engine: { taskTimeoutMs: '5s' } },
      'engine.taskTimeoutMs: Invalid input: expected number, received string',
    ],
    ['unknown engine field', { engine: { taskTimeout: 5 } }, 'engine: Unrecognized key: "taskTimeout"'],
    [
      'engine raft field',
      { engine: { raft: { tickMs: 0 } } },
      'engine.raft.tickMs: Too small: expected number to be >0',
    ],
    [
      'engine cross-field rule',
      { engine: { retryBaseMs: 5_000 } },
      'engine.retryBaseMs: expected at most retryMaxMs',
    ],
    [
      'thresholds per quorum',
      { engine: { defaultQuorumNumbers: [0, 1], defaultThresholdPercentages: [67] } },
      'engine.defaultThresholdPercentages: expected one threshold per entry of defaultQuorumNumbers',
    ],
    ['even maxVoters', { engine: { maxVoters: 4 } }, 'engine.maxVoters: must be odd (1, 3, 5, ...)'],
    [
      'batch too large',
      { engine: { batching: { maxTasks: 300 } } },
      'engine.batching.maxTasks: Too big: expected number to be <=256',
    ],
    [
      'unknown batching field',
      { engine: { batching: { size: 8 } } },
      'engine.batching: Unrecognized key: "size"',
    ],
    [
      'bad address',
      { contracts: { ...valid.contracts, taskManager: '0x1234' } },
      'contracts.taskManager: expected a 0x-prefixed 20-byte address',
    ],
    [
      'bad checksum',
      { contracts: { ...valid.contracts, taskManager: '0x9fe46736679d2D9a65F0992F2272dE9f3c7fa6e0' } },
      'contracts.taskManager: bad EIP-55 checksum (write it all lowercase or with a correct checksum)',
    ],
    ['missing field', { chainId: undefined }, 'chainId: Invalid input: expected number, received undefined'],
    [
      'avs module without path',
      { avs: { kind: 'module' } },
      'avs.path: Invalid input: expected string, received undefined',
    ],
    [
      'port out of range',
      { server: { port: 70_000 } },
      'server.port: Too big: expected number to be <=65535',
    ],
  ];
  it.each(cases)('%s: one exact line on stderr, exit 2, nothing else done', async (_, change, line) => {
    const dir = await mkdtemp(join(tmpdir(), 'op-config-'));
    const path = join(dir, 'operator.json');
    await writeFile(path, JSON.stringify({ ...valid, ...change }));
    for (const argv of [
      ['start', '--config', path],
      ['config', 'check', '--config', path],
    ]) {
      const c = captureIo({ AVS_KEY_PASSWORD: 'pw' });
      expect(await runCli(argv, c.io)).toBe(2);
      expect(c.stderr()).toBe(`error: ${path}: ${line}\n`);
    }
  });

  it('the valid example passes config check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'op-config-'));
    const path = join(dir, 'operator.json');
    await writeFile(path, JSON.stringify(valid));
    const c = captureIo();
    expect(await runCli(['config', 'check', '--config', path], c.io)).toBe(0);
    expect(c.stdout()).toBe(`${path}: ok\n`);
  });

  it('config.schema.json is the JSON Schema generated from the zod schema (run `pnpm gen:schema`)', async () => {
    const committed = JSON.parse(await readFile(new URL('../config.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(operatorConfigJsonSchema());
    const c = captureIo();
    expect(await runCli(['config', 'schema'], c.io)).toBe(0);
    expect(JSON.parse(c.stdout())).toEqual(committed);
    // The schema knows the engine section's fields.
    expect(committed.properties.engine.properties.taskTimeoutMs.type).toBe('integer');
    expect(committed.properties.engine.properties.batching.properties.maxTasks.maximum).toBe(256);
    expect(committed.properties.engine.properties.maxVoters.type).toBe('integer');
    expect(committed.properties.engine.properties.voterUnreachableMs.type).toBe('integer');
  });
});
