export type { ServedNode, ServeNodeOptions } from './node.js';
export { serveNode } from './node.js';
export type { PooledFetch, PooledFetchOptions } from './node-fetch.js';
export { createPooledFetch } from './node-fetch.js';
