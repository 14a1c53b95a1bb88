/**
 * The replicated key-value store: a deterministic `StateMachine` for
 * `@avs/raft-core`. Every node applies the same committed entries in the same
 * order and reaches the same state; snapshots are canonical (keys sorted), so
 * equal states give byte-identical snapshots.
 */
import type { Entry, StateMachine } from '@avs/raft-core';
import { z } from 'zod';
import {
  type Compare,
  decodeCommand,
  type KvCommand,
  type KvRecord,
  type KvResult,
  type MemberInfo,
  memberInfoSchema,
} from './commands.js';
import { KvError } from './errors.js';

const SNAPSHOT_FORMAT = 'avs-kv/1';

const recordSchema = z.strictObject({
  value: z.string(),
  createRevision: z.number().int().min(1),
  modRevision: z.number().int().min(1),
  version: z.number().int().min(1),
});
const snapshotSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  revision: z.number().int().min(0),
  appliedIndex: z.number().int().min(0),
  skipped: z.number().int().min(0),
  members: z.array(memberInfoSchema),
  records: z.array(z.tuple([z.string(), recordSchema])),
});

/** Counters of a {@link KvStateMachine}. */
export interface KvStats {
  /** Keys stored. */
  readonly keys: number;
  /** Store revision: bumped by every write that changed something. */
  readonly revision: number;
  /** Index of the last applied log entry. */
  readonly appliedIndex: number;
  /** Committed entries that did not decode as a command (skipped on every node alike). */
  readonly skipped: number;
}

/** Options of {@link KvStateMachine}. */
export interface KvStateMachineOptions {
  /** Called when a member's addresses are recorded (on apply and on restore): wire the transport here. */
  readonly onMember?: (member: MemberInfo) => void;
}

/**
 * The key-value state machine. Reads are local; callers make them
 * linearizable with a read barrier first. Besides the keys it holds the
 * member address book (ids to peer and client URLs), so a node that restores
 * a snapshot also learns how to reach members added before it.
 */
export class KvStateMachine implements StateMachine<KvResult> {
  private records = new Map<string, KvRecord>();
  private members = new Map<string, MemberInfo>();
  private revision = 0;
  private appliedIndex = 0;
  private skipped = 0;

  constructor(private readonly options: KvStateMachineOptions = {}) {}

  /** Applies committed entries in order; one result per entry. */
  apply(entries: readonly Entry[]): KvResult[] {
    const results: KvResult[] = [];
    for (const entry of entries) {
      const command = decodeCommand(entry.data);
      if (typeof command === 'string') {
        this.skipped++;
        results.push({ op: 'invalid', revision: this.revision, reason: command });
      } else {
        results.push(this.execute(command));
      }
      this.appliedIndex = Math.max(this.appliedIndex, entry.index);
    }
    return results;
  }

  private execute(command: KvCommand): KvResult {
    if (command.op === 'member') {
      this.members.set(command.member.id, command.member);
      this.options.onMember?.(command.member);
      return { op: 'member', revision: this.revision };
    }
    const prev = this.records.get(command.key) ?? null;
    switch (command.op) {
      case 'put':
        this.write(command.key, command.value, prev);
        return { op: 'put', revision: this.revision, prev };
      case 'delete':
        if (prev) {
          this.revision++;
          this.records.delete(command.key);
        }
        return { op: 'delete', revision: this.revision, prev };
      case 'cas': {
        if (!matches(prev, command.expect)) {
          return { op: 'cas', revision: this.revision, succeeded: false, current: prev };
        }
        const current = this.write(command.key, command.value, prev);
        return { op: 'cas', revision: this.revision, succeeded: true, current };
      }
    }
  }

  private write(key: string, value: string, prev: KvRecord | null): KvRecord {
    this.revision++;
    const record: KvRecord = {
      value,
      createRevision: prev ? prev.createRevision : this.revision,
      modRevision: this.revision,
      version: prev ? prev.version + 1 : 1,
    };
    this.records.set(key, record);
    return record;
  }

  /** The record of `key` as of the last applied entry, or undefined. */
  get(key: string): KvRecord | undefined {
    return this.records.get(key);
  }

  /** Keys in order, starting at `from` (inclusive), at most `limit`. */
  keys(from = '', limit = 1000): string[] {
    return [...this.records.keys()]
      .filter((k) => k >= from)
      .sort()
      .slice(0, limit);
  }

  /** The recorded address of member `id`, if any. */
  member(id: string): MemberInfo | undefined {
    return this.members.get(id);
  }

  /** Every recorded member address, by id. */
  memberList(): MemberInfo[] {
    return [...this.members.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  stats(): KvStats {
    return {
      keys: this.records.size,
      revision: this.revision,
      appliedIndex: this.appliedIndex,
      skipped: this.skipped,
    };
  }

  /** Canonical JSON of the whole state (keys sorted). */
  snapshot(): Uint8Array {
    const records = [...this.records.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return new TextEncoder().encode(
      JSON.stringify({
        format: SNAPSHOT_FORMAT,
        revision: this.revision,
        appliedIndex: this.appliedIndex,
        skipped: this.skipped,
        members: this.memberList(),
        records,
      }),
    );
  }

  /**
   * Replaces the state with a snapshot's.
   * @throws KvSnapshotError when the bytes are not a kv snapshot (the state is left unchanged)
   */
  restore(data: Uint8Array): void {
    let parsed: z.infer<typeof snapshotSchema>;
    try {
      parsed = snapshotSchema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data)));
    } catch (cause) {
      throw new KvSnapshotError('the snapshot is not an avs-kv/1 snapshot', { cause });
    }
    this.records = new Map(parsed.records);
    this.revision = parsed.revision;
    this.appliedIndex = parsed.appliedIndex;
    this.skipped = parsed.skipped;
    this.members = new Map(parsed.members.map((m) => [m.id, m]));
    for (const m of parsed.members) this.options.onMember?.(m);
  }
}

/** A snapshot could not be restored. */
export class KvSnapshotError extends KvError {
  override readonly name = 'KvSnapshotError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_SNAPSHOT', 500, message, {}, options);
  }
}

function matches(current: KvRecord | null, expect: Compare): boolean {
  if ('modRevision' in expect) return (current?.modRevision ?? 0) === expect.modRevision;
  return (current?.value ?? null) === expect.value;
}
