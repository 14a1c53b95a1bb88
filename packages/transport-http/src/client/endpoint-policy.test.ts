import { describe, expect, it } from 'vitest';
import { operator } from '../../test/support/nodes.js';
import { EndpointError } from '../errors.js';
import { checkEndpoint } from './endpoint-policy.js';
import { HttpTransport } from './http-transport.js';

const refused = (url: string, policy = {}) => {
  try {
    checkEndpoint(url, policy);
  } catch (e) {
    expect(e).toBeInstanceOf(EndpointError);
    expect((e as EndpointError).code).toBe('INVALID_ENDPOINT');
    return true;
  }
  return false;
};

describe('checkEndpoint', () => {
  it('accepts public http and https URLs, without the trailing slash', () => {
    expect(checkEndpoint('https://op.example.org:7001/')).toBe('https://op.example.org:7001');
    expect(checkEndpoint('http://8.8.8.8/avs/')).toBe('http://8.8.8.8/avs');
  });

  it.each([
    'ftp://op.example.org',
    'file:///etc/passwd',
    'gopher://op.example.org',
    'http://user:pw@op.example.org',
    'http://user@op.example.org',
    'http://op.example.org/?x=1',
    'http://op.example.org/#frag',
    'http://op.example.org/?',
    'not a url',
  ])('refuses %s under every policy', (url) => {
    expect(refused(url, { allowLoopback: true, allowPrivate: true })).toBe(true);
  });

  it.each([
    'http://127.0.0.1:7001',
    'http://127.1.2.3',
    'http://localhost:7001',
    'http://api.localhost',
    'http://[::1]:7001',
    'http://2130706433', // 127.0.0.1 as one number
    'http://0x7f.1',
    'http://[::ffff:127.0.0.1]',
  ])('refuses the loopback %s unless allowed', (url) => {
    expect(refused(url)).toBe(true);
    expect(refused(url, { allowLoopback: true })).toBe(false);
  });

  it.each([
    'http://10.0.0.1',
    'http://172.16.5.4',
    'http://192.168.1.1',
    'http://169.254.169.254/latest/meta-data', // cloud metadata
    'http://100.64.0.1',
    'http://0.0.0.0',
    'http://[fe80::1]',
    'http://[fd00::1]',
    'http://[::]',
    'http://[::ffff:10.0.0.1]',
  ])('refuses the private, link-local or reserved %s unless allowed', (url) => {
    expect(refused(url, { allowLoopback: true })).toBe(true);
    expect(refused(url, { allowPrivate: true })).toBe(false);
  });

  it('HttpTransport.addPeer refuses a private endpoint before dialling when given a policy', () => {
    const transport = new HttpTransport({ scheme: operator(1), endpoints: {} });
    expect(() => transport.addPeer(operator(2).nodeId, 'http://10.1.2.3:7001')).toThrow(EndpointError);
    expect(transport.peerIds()).toEqual([]);
    transport.addPeer(operator(2).nodeId, 'https://op.example.org');
    expect(transport.peerIds()).toEqual([operator(2).nodeId]);
  });
});
