import type { Entry, EntryType } from '@avs/raft-core';
import { isCount, StorageCorruptError } from '@avs/storage-kv';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type EpochSegment, epochAt } from './head-item.js';
import { entrySortKey, parseEntrySortKey } from './table-layout.js';

type Item = Record<string, AttributeValue>;

/**
 * The items of one entry written in `epoch`: part 0 carries `term`, `type`,
 * `parts` (the item count) and `size` (total payload bytes); payload beyond
 * `partBytes` goes to parts 1, 2, … so no item passes DynamoDB's 400 KB limit.
 */
export function entryItems(pk: string, entry: Entry, epoch: number, partBytes: number): Item[] {
  const size = entry.data.byteLength;
  const parts = Math.max(1, Math.ceil(size / partBytes));
  const slice = (part: number) => entry.data.subarray(part * partBytes, (part + 1) * partBytes);
  const items: Item[] = [
    {
      pk: { S: pk },
      sk: { S: entrySortKey(entry.index, epoch) },
      term: { N: String(entry.term) },
      type: { N: String(entry.type) },
      parts: { N: String(parts) },
      size: { N: String(size) },
      data: { B: slice(0) },
    },
  ];
  for (let part = 1; part < parts; part++) {
    items.push({
      pk: { S: pk },
      sk: { S: entrySortKey(entry.index, epoch, part) },
      data: { B: slice(part) },
    });
  }
  return items;
}

interface Pending {
  header?: { term: number; type: EntryType; parts: number; size: number };
  readonly payloads: Map<number, Uint8Array>;
}

/**
 * Rebuilds entries from entry items read in either key order. Items of an
 * epoch the segments do not name for that index (a superseded or fenced
 * writer's) are skipped.
 */
export class EntryAssembler {
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly pk: string,
    private readonly segments: readonly EpochSegment[],
  ) {}

  /**
   * Takes one item; returns the entry it completes, if any.
   * @throws StorageCorruptError when the item or the assembled entry is malformed.
   */
  add(item: Item): Entry | undefined {
    const sk = item.sk?.S ?? '';
    const key = parseEntrySortKey(sk);
    if (!key || epochAt(this.segments, key.index) !== key.epoch) return undefined;
    const where = `dynamodb item ${this.pk} / ${sk}`;
    let pending = this.pending.get(key.index);
    if (!pending) {
      pending = { payloads: new Map() };
      this.pending.set(key.index, pending);
    }
    pending.payloads.set(key.part, item.data?.B ?? new Uint8Array(0));
    if (key.part === 0) {
      const header = {
        term: Number(item.term?.N),
        type: Number(item.type?.N) as EntryType,
        parts: Number(item.parts?.N),
        size: Number(item.size?.N),
      };
      if (!isCount(header.term) || !isCount(header.type) || !isCount(header.parts) || !isCount(header.size)) {
        throw new StorageCorruptError(where, 'expected numeric term, type, parts and size attributes');
      }
      pending.header = header;
    }
    const header = pending.header;
    if (!header) return undefined;
    for (let part = 0; part < header.parts; part++) if (!pending.payloads.has(part)) return undefined;
    this.pending.delete(key.index);
    // Check the recorded size against the parts before allocating: a corrupt item must not size a buffer.
    let stored = 0;
    for (let part = 0; part < header.parts; part++) stored += pending.payloads.get(part)!.byteLength;
    if (stored !== header.size) {
      throw new StorageCorruptError(
        where,
        `parts hold ${stored} payload bytes, not the ${header.size} bytes recorded`,
      );
    }
    const data = new Uint8Array(header.size);
    let offset = 0;
    for (let part = 0; part < header.parts; part++) {
      const payload = pending.payloads.get(part)!;
      data.set(payload, offset);
      offset += payload.byteLength;
    }
    return { index: key.index, term: header.term, type: header.type, data };
  }
}
