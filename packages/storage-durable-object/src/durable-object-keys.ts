/**
 * Key layout of one Raft log in Durable Object storage (all under a prefix):
 *
 * - `<p>m`: the meta record (log state, snapshot size and part count);
 * - `<p>e<index>`: an entry (16 hex digits, so key order is index order), and
 *   `<p>e<index>.<part>` the parts of an entry larger than one value;
 * - `<p>s<part>`: the parts of the latest snapshot's data.
 */

const INDEX_DIGITS = 16;
const PART_DIGITS = 6;

/** Keys of one log under `prefix`. */
export class DurableObjectKeys {
  readonly meta: string;
  private readonly entryPrefix: string;
  private readonly snapshotPrefix: string;

  constructor(readonly prefix: string) {
    this.meta = `${prefix}m`;
    this.entryPrefix = `${prefix}e`;
    this.snapshotPrefix = `${prefix}s`;
  }

  /** Key of the entry at `index` (its head, when it has parts). */
  entry(index: number): string {
    return this.entryPrefix + index.toString(16).padStart(INDEX_DIGITS, '0');
  }

  /** Key of part `part` of the entry at `index`; sorts after the head, before `index + 1`. */
  entryPart(index: number, part: number): string {
    return `${this.entry(index)}.${part.toString(16).padStart(PART_DIGITS, '0')}`;
  }

  /** The end (exclusive) of every entry key: list `[entry(i), entriesEnd)` for all from `i`. */
  get entriesEnd(): string {
    return `${this.entryPrefix}~`;
  }

  /** Index and part of an entry key (part `-1` for a head); undefined for any other key. */
  parseEntry(key: string): { index: number; part: number } | undefined {
    if (!key.startsWith(this.entryPrefix)) return undefined;
    const rest = key.slice(this.entryPrefix.length);
    const digits = rest.slice(0, INDEX_DIGITS);
    if (!/^[0-9a-f]{16}$/.test(digits)) return undefined;
    const index = Number.parseInt(digits, 16);
    if (rest.length === INDEX_DIGITS) return { index, part: -1 };
    const part = rest.slice(INDEX_DIGITS);
    if (!/^\.[0-9a-f]{6}$/.test(part)) return undefined;
    return { index, part: Number.parseInt(part.slice(1), 16) };
  }

  /** Key of part `part` of the snapshot data. */
  snapshotPart(part: number): string {
    return this.snapshotPrefix + part.toString(16).padStart(PART_DIGITS, '0');
  }
}
