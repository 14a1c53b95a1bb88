/**
 * Which peer URLs a node may dial. Operators register their URLs on-chain, so
 * a URL is a stranger's input: without a check, every member would send
 * requests wherever a registrant points it (blind SSRF into the operator's own
 * network). The WHATWG URL parser normalises host spellings (`0x7f.1`,
 * `2130706433`, `[::ffff:127.0.0.1]`) before the address is classified.
 */
import ipaddr from 'ipaddr.js';
import { EndpointError } from '../errors.js';

/** Which address classes a URL may point at (public addresses are always allowed). */
export interface EndpointPolicy {
  /** 127.0.0.0/8, ::1, `localhost`; default false (the devnet allows it). */
  readonly allowLoopback?: boolean;
  /**
   * Private, carrier-grade NAT, link-local, unique-local, unspecified, multicast and
   * reserved addresses; default false (allow it on a private network of your own).
   */
  readonly allowPrivate?: boolean;
}

function addressClass(host: string): 'public' | 'loopback' | 'private' {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost' || bare.endsWith('.localhost')) return 'loopback';
  if (!ipaddr.isValid(bare)) return 'public'; // a DNS name (see README: resolution is not checked)
  let addr = ipaddr.parse(bare);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  }
  const range = addr.range();
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'private';
}

/**
 * Checks a peer URL: http or https, no userinfo, query or fragment, and an
 * address class the policy allows.
 * @returns the URL without a trailing slash
 * @throws EndpointError (`INVALID_ENDPOINT`) naming what is wrong
 */
export function checkEndpoint(url: string, policy: EndpointPolicy = {}): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EndpointError(`${JSON.stringify(url.slice(0, 200))} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new EndpointError(`endpoint scheme must be http or https, got ${parsed.protocol}`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new EndpointError('endpoint must not carry credentials (user:password@)');
  }
  if (parsed.search !== '' || parsed.hash !== '' || url.includes('?') || url.includes('#')) {
    throw new EndpointError('endpoint must not have a query or fragment');
  }
  const cls = addressClass(parsed.hostname);
  if (cls === 'loopback' && !policy.allowLoopback) {
    throw new EndpointError(`endpoint ${parsed.host} is a loopback address, not allowed here`);
  }
  if (cls === 'private' && !policy.allowPrivate) {
    throw new EndpointError(
      `endpoint ${parsed.host} is a private, link-local or reserved address, not allowed here`,
    );
  }
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}
