/** Why the harness could not do what it was asked (a node failed to start, no leader, an unknown node). */
export class KvClusterError extends Error {
  override readonly name = 'KvClusterError';
  /** Stable: `NODE_FAILED`, `NODE_RUNNING`, `NODE_NOT_RUNNING`, `UNKNOWN_NODE`, `NO_LEADER`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
