import type { Entry, Snapshot, Storage } from '@avs/raft-core';

/**
 * Whether `error` is a Raft error with the given stable `code`. Matches on
 * `code`, not `instanceof`, so a backend built against another copy of
 * `@avs/raft-core` still conforms.
 */
export function hasErrorCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** Options of {@link StorageReader}. */
export interface StorageReaderOptions {
  /**
   * How long to wait for `onAvailable` after an `UnavailableError` before
   * failing the read (a safety net against a backend that never calls back,
   * not a speed requirement). Default 10 000 ms.
   */
  availableTimeoutMs?: number;
}

/**
 * Reads a `Storage` the way Raft does: a synchronous call, and on
 * `UnavailableError` a wait for the `onAvailable` callback and a retry.
 * Registers the storage's one `onAvailable` listener, so create one reader per
 * opened storage.
 */
export class StorageReader {
  /** How many reads threw `UnavailableError` (the backend's cold path was used). */
  unavailableCount = 0;
  private available = 0;
  private waiters: Array<() => void> = [];
  private readonly timeoutMs: number;

  constructor(
    readonly storage: Storage,
    options: StorageReaderOptions = {},
  ) {
    this.timeoutMs = options.availableTimeoutMs ?? 10_000;
    storage.onAvailable(() => {
      this.available++;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }

  /**
   * Runs `read` until it does not throw `UnavailableError`; any other error propagates.
   * @throws Error when the backend does not call `onAvailable` within the timeout.
   */
  async read<T>(read: (storage: Storage) => T): Promise<T> {
    for (;;) {
      const seen = this.available;
      try {
        return read(this.storage);
      } catch (error) {
        if (!hasErrorCode(error, 'UNAVAILABLE')) throw error;
        this.unavailableCount++;
        // The callback may already have fired (a backend may load synchronously); then retry at once.
        if (this.available === seen) await this.waitForAvailable(error);
      }
    }
  }

  /** `entries(lo, hi, maxBytes)` with the Unavailable retry. */
  entries(lo: number, hi: number, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Entry[]> {
    return this.read((s) => s.entries(lo, hi, maxBytes));
  }

  /** `term(index)` with the Unavailable retry. */
  term(index: number): Promise<number> {
    return this.read((s) => s.term(index));
  }

  /** `snapshot()` with the Unavailable retry. */
  snapshot(): Promise<Snapshot> {
    return this.read((s) => s.snapshot());
  }

  /**
   * Every entry in `[lo, hi)`, reading in pages (each `entries` call returns at
   * least one entry, possibly fewer than asked when `maxBytes` is reached).
   */
  async allEntries(lo: number, hi: number, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Entry[]> {
    const out: Entry[] = [];
    let next = lo;
    while (next < hi) {
      const page = await this.entries(next, hi, maxBytes);
      if (page.length === 0)
        throw new Error(`entries(${next}, ${hi}) returned no entry; expected at least one`);
      out.push(...page);
      next += page.length;
    }
    return out;
  }

  private waitForAvailable(cause: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        reject(
          new Error(
            `backend threw UnavailableError but did not call onAvailable within ${this.timeoutMs} ms`,
            {
              cause,
            },
          ),
        );
      }, this.timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
    });
  }
}
