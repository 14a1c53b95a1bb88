/**
 * The Node resolver for an endpoint policy (`EndpointPolicy.resolve`): the
 * system's `getaddrinfo` through `node:dns`, as the dial itself resolves
 * (hosts file included), with a short cache so a check per dial stays cheap.
 */
import { lookup } from 'node:dns/promises';
import type { HostResolver } from '../client/endpoint-policy.js';

/** Options of {@link createDnsResolver}. */
export interface DnsResolverOptions {
  /** How long an answer is reused, ms; default 30 000 (a failed lookup is not kept). */
  readonly ttlMs?: number;
  /** Names kept at most (the oldest is dropped); default 1 024. */
  readonly maxNames?: number;
  /** Clock, ms; default `Date.now`. */
  readonly now?: () => number;
}

/** A cached `node:dns` resolver of a name's IPv4 and IPv6 addresses (Node, Bun and Deno). */
export function createDnsResolver(options: DnsResolverOptions = {}): HostResolver {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxNames = options.maxNames ?? 1_024;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { until: number; addresses: Promise<readonly string[]> }>();
  return (hostname) => {
    const name = hostname.toLowerCase();
    const hit = cache.get(name);
    if (hit && hit.until > now()) return hit.addresses;
    const addresses = lookup(name, { all: true, verbatim: true }).then((found) =>
      found.map((a) => a.address),
    );
    cache.delete(name);
    if (cache.size >= maxNames) cache.delete(cache.keys().next().value as string);
    cache.set(name, { until: now() + ttlMs, addresses });
    addresses.catch(() => {
      if (cache.get(name)?.addresses === addresses) cache.delete(name);
    });
    return addresses;
  };
}
