import { describe, expect, it } from 'vitest';
import { parseEngineConfig } from './config.js';
import { EngineConfigError } from './errors.js';

const valid = {
  httpUrl: 'http://127.0.0.1:7001',
  raftUrl: 'http://127.0.0.1:7001',
  operatorId: `0x${'12'.repeat(32)}`,
};

describe('parseEngineConfig', () => {
  it('fills in defaults', () => {
    const c = parseEngineConfig(valid);
    expect(c).toMatchObject({ clusterId: 'avs', taskTimeoutMs: 60_000, raft: {} });
  });

  it.each([
    [{ ...valid, httpUrl: 'ftp://x' }, 'config.httpUrl'],
    [{ ...valid, operatorId: '0x12' }, 'config.operatorId'],
    [{ ...valid, raft: { tickMs: -1 } }, 'config.raft.tickMs'],
    [{ ...valid, raft: { tick: 10 } }, 'config.raft'],
    [{ ...valid, extra: 1 }, 'config'],
    [{ ...valid, defaultThresholdPercentages: [67, 50] }, 'config.defaultThresholdPercentages'],
    [{ ...valid, retryBaseMs: 5_000, retryMaxMs: 100 }, 'config.retryBaseMs'],
  ])('names the bad field (%#)', (config, field) => {
    expect(() => parseEngineConfig(config)).toThrow(EngineConfigError);
    expect(() => parseEngineConfig(config)).toThrow(field);
  });
});
