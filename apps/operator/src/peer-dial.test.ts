import { describe, expect, it } from 'vitest';
import { parseOperatorConfig } from './config.js';
import { peerDialer } from './peer-dial.js';

describe('peerDialer (cluster.dialUrls)', () => {
  const dial = peerDialer({
    'http://127.0.0.1:4001/': 'http://127.0.0.1:9001',
    'http://op-b:80': 'http://10.0.0.2:8080',
  });

  it('dials a listed origin at the mapped one, path kept', () => {
    expect(dial('http://127.0.0.1:4001')).toBe('http://127.0.0.1:9001');
    expect(dial('http://127.0.0.1:4001/engine/v1/join')).toBe('http://127.0.0.1:9001/engine/v1/join');
    expect(dial('http://op-b/raft')).toBe('http://10.0.0.2:8080/raft');
  });

  it('leaves other URLs alone', () => {
    expect(dial('http://127.0.0.1:4002')).toBe('http://127.0.0.1:4002');
    expect(dial('not a url')).toBe('not a url');
  });
});

describe('cluster.dialUrls in the config', () => {
  const base = {
    rpcUrl: 'http://127.0.0.1:8545',
    chainId: 31337,
    contracts: {
      operatorRegistry: `0x${'1'.repeat(40)}`,
      operatorStateRetriever: `0x${'2'.repeat(40)}`,
      taskManager: `0x${'3'.repeat(40)}`,
    },
    keys: { ecdsaKeystore: 'e.json', blsKeystore: 'b.json' },
    server: { port: 4000 },
  };

  it('accepts origins', () => {
    const c = parseOperatorConfig({
      ...base,
      cluster: {
        joinUrl: 'http://127.0.0.1:4001',
        dialUrls: { 'http://127.0.0.1:4001': 'http://127.0.0.1:9001' },
      },
    });
    expect(c.cluster.dialUrls).toEqual({ 'http://127.0.0.1:4001': 'http://127.0.0.1:9001' });
  });

  it('refuses a URL with a path, naming the field', () => {
    expect(() =>
      parseOperatorConfig({ ...base, cluster: { dialUrls: { 'http://127.0.0.1:4001': 'http://x:1/path' } } }),
    ).toThrow(/cluster\.dialUrls/);
  });
});
