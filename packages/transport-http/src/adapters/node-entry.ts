export type { DnsResolverOptions } from './dns-resolver.js';
export { createDnsResolver } from './dns-resolver.js';
export { serveNode } from './node.js';
export type { PooledFetch, PooledFetchOptions } from './node-fetch.js';
export { createPooledFetch } from './node-fetch.js';
export {
  canListen,
  FREE_PORT_RANGE,
  findFreePort,
  findFreePortBlock,
  isAddressInUse,
  NoFreePortError,
} from './node-ports.js';
export type { FetchHandler, Served, ServeEnv, ServeFn, ServeOptions } from './served.js';
