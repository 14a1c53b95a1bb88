/**
 * Counters of one transport (client and server side). Plain numbers, read by
 * `/status` and by tests; every rejected request is counted under its error code.
 */
export class TransportMetrics {
  /** Requests refused by the server, by error code (`UNSIGNED`, `BAD_SIGNATURE`, `MALFORMED_FRAME`, …). */
  readonly rejected: Record<string, number> = {};
  readonly received = { batches: 0, messages: 0, bytes: 0, snapshotParts: 0, snapshots: 0 };
  readonly sent = { batches: 0, messages: 0, bytes: 0, snapshotParts: 0, snapshots: 0 };
  readonly dropped = {
    /** Messages dropped because a peer's queue was full. */
    queueFull: 0,
    /** Messages dropped after their batch failed every attempt or was refused. */
    sendFailed: 0,
    /** Messages addressed to a peer that was never added. */
    unknownPeer: 0,
  };
  readonly handshakes = { accepted: 0, initiated: 0, failed: 0 };
  /** Incoming peer streams (`/raft/v1/stream`): opened, ended (any way), frames received (keepalives too). */
  readonly streams = { opened: 0, closed: 0, frames: 0 };
  /**
   * Outgoing peer streams: opened, ended by an error or refusal, and peers
   * switched to per-batch requests because streaming could not be used.
   */
  readonly outgoingStreams = { opened: 0, failed: 0, fallbacks: 0 };
  retries = 0;
  unreachableReports = 0;
  /** Times the Raft handler threw while the client reported to it (the error is not rethrown). */
  handlerErrors = 0;

  /** Counts one rejection. */
  reject(code: string): void {
    this.rejected[code] = (this.rejected[code] ?? 0) + 1;
  }

  /** Total rejected requests over all codes. */
  get rejectedTotal(): number {
    let n = 0;
    for (const v of Object.values(this.rejected)) n += v;
    return n;
  }

  /** A JSON-safe copy. */
  toJSON(): Record<string, unknown> {
    return {
      rejected: { ...this.rejected },
      rejectedTotal: this.rejectedTotal,
      received: { ...this.received },
      sent: { ...this.sent },
      dropped: { ...this.dropped },
      handshakes: { ...this.handshakes },
      streams: { ...this.streams },
      outgoingStreams: { ...this.outgoingStreams },
      retries: this.retries,
      unreachableReports: this.unreachableReports,
      handlerErrors: this.handlerErrors,
    };
  }
}
