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
  /**
   * Resolves a DNS name to its addresses, so a name pointing at a refused address class is refused
   * too, before each dial (`createDnsResolver()` of `@avs/transport-http/node`). Without it (workerd
   * and other runtimes without `node:dns`) only literal addresses and `localhost` are classified.
   */
  readonly resolve?: HostResolver;
}

/** A host name's addresses (IPv4 or IPv6 literals); rejects when the name does not resolve. */
export type HostResolver = (hostname: string) => Promise<readonly string[]>;

type AddressClass = 'public' | 'loopback' | 'private' | 'name';

function addressClass(host: string): AddressClass {
  let bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  // `localhost.` is `localhost` (a fully qualified name ends with the root's empty label).
  bare = bare.replace(/\.+$/, '').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return 'loopback';
  if (!ipaddr.isValid(bare)) return 'name'; // classified by its resolved addresses, when a resolver is given
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
  refuseClass(addressClass(parsed.hostname), parsed.host, policy);
  return `${parsed.origin}${parsed.pathname}`.replace(/\/+$/, '');
}

function refuseClass(cls: AddressClass, what: string, policy: EndpointPolicy): void {
  if (cls === 'loopback' && !policy.allowLoopback) {
    throw new EndpointError(`endpoint ${what} is a loopback address, not allowed here`);
  }
  if (cls === 'private' && !policy.allowPrivate) {
    throw new EndpointError(
      `endpoint ${what} is a private, link-local or reserved address, not allowed here`,
    );
  }
}

/**
 * {@link checkEndpoint}, then, for a DNS name and a policy with `resolve`, the same address classes
 * for every address the name resolves to (all must be allowed: the dial may use any of them).
 * @throws EndpointError (`INVALID_ENDPOINT`), also when the name does not resolve
 */
export async function checkResolvedEndpoint(url: string, policy: EndpointPolicy = {}): Promise<void> {
  checkEndpoint(url, policy);
  const host = new URL(url).hostname;
  if (!policy.resolve || addressClass(host) !== 'name') return;
  let addresses: readonly string[];
  try {
    addresses = await policy.resolve(host);
  } catch {
    throw new EndpointError(`endpoint ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new EndpointError(`endpoint ${host} does not resolve`);
  for (const address of addresses) {
    // An address that is not an IP literal is classified as a name would be: refused, it proves nothing.
    const cls = addressClass(address);
    if (cls === 'name') throw new EndpointError(`endpoint ${host} resolved to ${address}, not an address`);
    refuseClass(cls, `${host} (${address})`, policy);
  }
}
