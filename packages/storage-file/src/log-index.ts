/**
 * Where every live entry is: its term, segment and byte position. Kept in
 * memory for the whole log (a few numbers per entry), so `term()` never goes
 * to disk and a cold read knows exactly which bytes to load.
 *
 * Invariant: entries `[offset + 1, offset + terms.length]` are live;
 * `offsetTerm` is the term at `offset` (the compaction point).
 */
export class LogIndex {
  offset = 0;
  offsetTerm = 0;
  terms: number[] = [];
  segments: number[] = [];
  positions: number[] = [];
  sizes: number[] = [];
  /** Live entries per segment sequence number: a segment with none can be deleted. */
  readonly liveBySegment = new Map<number, number>();

  firstIndex(): number {
    return this.offset + 1;
  }

  lastIndex(): number {
    return this.offset + this.terms.length;
  }

  /** Term at `index` in `[offset, lastIndex]` (NaN for an entry of unknown term), else undefined. */
  term(index: number): number | undefined {
    if (index === this.offset) return this.offsetTerm;
    return this.terms[index - this.offset - 1];
  }

  /** Drops entries at and after `index`. */
  truncateFrom(index: number): void {
    const keep = Math.max(0, index - this.offset - 1);
    if (keep >= this.terms.length) return;
    for (let i = keep; i < this.segments.length; i++) this.release(this.segments[i]!);
    this.terms.length = keep;
    this.segments.length = keep;
    this.positions.length = keep;
    this.sizes.length = keep;
  }

  /**
   * Appends one entry at `index`, replacing everything from `index` on.
   * Entries at or below the compaction point are ignored.
   * @throws RangeError when `index` would leave a gap.
   */
  put(index: number, term: number, segment: number, position: number, size: number): void {
    if (index <= this.offset) return;
    if (index > this.lastIndex() + 1)
      throw new RangeError(`entry ${index} leaves a gap after ${this.lastIndex()}`);
    if (index <= this.lastIndex()) this.truncateFrom(index);
    this.terms.push(term);
    this.segments.push(segment);
    this.positions.push(position);
    this.sizes.push(size);
    this.liveBySegment.set(segment, (this.liveBySegment.get(segment) ?? 0) + 1);
  }

  /**
   * Appends a run of entries starting at `first` (all in one segment),
   * replacing everything from `first` on. Entries at or below the compaction
   * point are skipped. One map update per run instead of per entry.
   * @throws RangeError when `first` would leave a gap.
   */
  putRun(first: number, segment: number, terms: number[], positions: number[], sizes: number[]): void {
    const skip = Math.max(0, this.offset + 1 - first);
    if (skip >= terms.length) return;
    const start = first + skip;
    if (start > this.lastIndex() + 1)
      throw new RangeError(`entry ${start} leaves a gap after ${this.lastIndex()}`);
    if (start <= this.lastIndex()) this.truncateFrom(start);
    for (let k = skip; k < terms.length; k++) {
      this.terms.push(terms[k]!);
      this.segments.push(segment);
      this.positions.push(positions[k]!);
      this.sizes.push(sizes[k]!);
    }
    this.liveBySegment.set(segment, (this.liveBySegment.get(segment) ?? 0) + terms.length - skip);
  }

  /** Replaces the whole log by a snapshot at `(index, term)`. */
  reset(index: number, term: number): void {
    this.truncateFrom(this.offset + 1);
    this.offset = index;
    this.offsetTerm = term;
  }

  /**
   * Drops entries up to and including `index`; no-op at or below the compaction point.
   * @param term the term at `index` (known to the caller even when the entry is not).
   */
  compact(index: number, term: number): void {
    if (index <= this.offset) return;
    if (index >= this.lastIndex()) {
      this.reset(index, term);
      return;
    }
    const n = index - this.offset;
    for (let i = 0; i < n; i++) this.release(this.segments[i]!);
    this.terms.splice(0, n);
    this.segments.splice(0, n);
    this.positions.splice(0, n);
    this.sizes.splice(0, n);
    this.offset = index;
    this.offsetTerm = term;
  }

  /** Whether segment `seq` still holds a live entry. */
  isLive(seq: number): boolean {
    return (this.liveBySegment.get(seq) ?? 0) > 0;
  }

  private release(segment: number): void {
    const n = (this.liveBySegment.get(segment) ?? 0) - 1;
    if (n > 0) this.liveBySegment.set(segment, n);
    else this.liveBySegment.delete(segment);
  }
}
