export { serveNode } from './node.js';
export type { PooledFetch, PooledFetchOptions } from './node-fetch.js';
export { createPooledFetch } from './node-fetch.js';
export type { FetchHandler, Served, ServeEnv, ServeFn, ServeOptions } from './served.js';
