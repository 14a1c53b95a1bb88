/**
 * `@avs/kv-cluster`: apps/kv as real processes on 127.0.0.1, for tests, benchmarks and the chaos suite.
 * A harness (top layer of docs/architecture.md): nothing in packages/ or apps/ may import it.
 */
export { KvClusterError } from './errors.js';
export { type KvExit, KvProcessCluster, type KvProcessClusterOptions } from './process-cluster.js';
