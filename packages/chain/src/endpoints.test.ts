import { describe, expect, it } from 'vitest';
import { normalizeEndpoints } from './endpoints.js';
import { InvalidArgumentError } from './errors.js';
import { parseSocket } from './retriever-reader.js';

describe('endpoints', () => {
  it('normalises URLs so equivalent spellings collide in the registry', () => {
    expect(
      normalizeEndpoints({ raftUrl: 'HTTP://Node-1.Example:7000/', httpUrl: 'https://node-1.example/api' }),
    ).toEqual({
      raftUrl: 'http://node-1.example:7000',
      httpUrl: 'https://node-1.example/api',
    });
  });

  it('rejects non-URLs, whitespace and over-long URLs', () => {
    expect(() => normalizeEndpoints({ raftUrl: 'not a url', httpUrl: 'http://a' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => normalizeEndpoints({ raftUrl: 'http://a', httpUrl: `http://a/${'x'.repeat(300)}` })).toThrow(
      InvalidArgumentError,
    );
  });

  it('parses sockets: "<raft> <http>", a single URL, or nothing usable', () => {
    expect(parseSocket('http://a:1 http://a:2')).toEqual({ raftUrl: 'http://a:1', httpUrl: 'http://a:2' });
    expect(parseSocket('http://a:1')).toEqual({ raftUrl: 'http://a:1', httpUrl: 'http://a:1' });
    expect(parseSocket('')).toBeNull();
    expect(parseSocket('1.2.3.4:9000')).toBeNull();
    expect(parseSocket('http://a http://b http://c')).toBeNull();
  });
});
