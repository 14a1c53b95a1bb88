/**
 * {@link ProposalWaves}: application-level group commit. Client writes arrive
 * in separate event-loop turns; proposed one by one, each becomes its own
 * Raft append and its own fsync on every node, so throughput stops at about
 * one write per disk sync whatever the concurrency. Here writes that arrive
 * while a wave is being committed wait and are proposed together, in one
 * synchronous burst, which the Raft driver appends as one batch (one fsync
 * per node for the whole wave). A lone write is proposed at once, so latency
 * at low concurrency is unchanged.
 */

interface Waiting<R> {
  readonly data: Uint8Array;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/** Groups proposals into waves; at most `maxWaves` waves are in flight. */
export class ProposalWaves<R> {
  private waiting: Waiting<R>[] = [];
  private inFlight = 0;

  /**
   * @param propose the underlying proposal (e.g. `raftNode.propose`), settled per entry
   * @param maxWaves waves committing at once (1 = strictly one after another). Default 1.
   */
  constructor(
    private readonly propose: (data: Uint8Array) => Promise<R>,
    private readonly maxWaves = 1,
  ) {}

  /** Proposes `data` in the next wave; settles like the underlying proposal. */
  submit(data: Uint8Array): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ data, resolve, reject });
      this.pump();
    });
  }

  /** Proposals waiting for a wave (not yet proposed). */
  get queued(): number {
    return this.waiting.length;
  }

  private pump(): void {
    while (this.inFlight < this.maxWaves && this.waiting.length > 0) {
      const wave = this.waiting;
      this.waiting = [];
      this.inFlight++;
      // All proposals of the wave are made in this synchronous loop, so they are appended together.
      const settled = wave.map((w) => this.propose(w.data).then(w.resolve, w.reject));
      void Promise.allSettled(settled).then(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }
}
