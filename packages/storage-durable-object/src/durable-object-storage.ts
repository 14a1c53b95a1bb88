/**
 * The part of Cloudflare's Durable Object storage API (`ctx.storage`, the
 * key-value methods) this package uses, typed structurally so the package
 * needs no Workers type package and tests can wrap the real object.
 */

/** Options of `list()`: keys in `[start, end)`, in key order (or reversed), at most `limit`. */
export interface DurableObjectListOptions {
  readonly start?: string;
  readonly end?: string;
  readonly prefix?: string;
  readonly reverse?: boolean;
  readonly limit?: number;
}

/** Reads and writes inside or outside a transaction. */
export interface DurableObjectKvOperations {
  get<T = unknown>(key: string): Promise<T | undefined>;
  get<T = unknown>(keys: string[]): Promise<Map<string, T>>;
  list<T = unknown>(options?: DurableObjectListOptions): Promise<Map<string, T>>;
  /** Writes up to 128 keys at once. */
  put<T>(entries: Record<string, T>): Promise<void>;
  /** Deletes up to 128 keys at once. */
  delete(keys: string[]): Promise<number>;
}

/** `ctx.storage` as far as this package needs it. */
export interface DurableObjectStorageLike extends DurableObjectKvOperations {
  /**
   * Runs `closure` as one transaction: every write in it is applied together
   * or not at all (a throw rolls back), and it resolves once durable.
   */
  transaction<T>(closure: (txn: DurableObjectKvOperations) => Promise<T>): Promise<T>;
}
