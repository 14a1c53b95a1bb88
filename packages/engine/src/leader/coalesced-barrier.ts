/**
 * Shares one run of an async barrier (e.g. Raft's `readIndex`, which costs a
 * heartbeat round to every follower) among concurrent callers, without ever
 * answering a caller with a run that started before it called: while one run
 * is in flight, every new caller joins a single follow-up run that starts
 * when the current one settles. So N concurrent callers cost at most two runs,
 * and each still gets a confirmation that began after its call.
 */
export class CoalescedBarrier {
  #inFlight: Promise<void> | undefined;
  #next: Promise<void> | undefined;

  /** @param run starts one barrier; its rejection is passed to every caller that shares it. */
  constructor(private readonly run: () => Promise<unknown>) {}

  /** Resolves once a run that started after this call has resolved. */
  wait(): Promise<void> {
    if (this.#next) return this.#next;
    const current = this.#inFlight;
    if (current === undefined) return this.#start();
    const settled = () => undefined;
    const next = current.then(settled, settled).then(() => {
      this.#next = undefined;
      return this.#start();
    });
    this.#next = next;
    return next;
  }

  #start(): Promise<void> {
    let p: Promise<void>;
    try {
      p = this.run().then(() => undefined);
    } catch (error) {
      p = Promise.reject(error);
    }
    this.#inFlight = p;
    const clear = () => {
      if (this.#inFlight === p) this.#inFlight = undefined;
    };
    p.then(clear, clear);
    return p;
  }
}
