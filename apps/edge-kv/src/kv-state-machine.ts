import type { Entry, StateMachine } from '@avs/raft-core';
import * as z from 'zod/mini';

/** A write in the log. */
export const kvCommandSchema = z.strictObject({
  op: z.literal('put'),
  key: z.string().check(z.minLength(1), z.maxLength(512)),
  value: z.string().check(z.maxLength(64 * 1024)),
});

/** A write in the log. */
export type KvCommand = z.infer<typeof kvCommandSchema>;

/** What applying a command answers: the log index it was applied at. */
export interface KvResult {
  readonly index: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a command as a log entry's data. */
export function encodeCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/**
 * The replicated map. Entries that do not decode are skipped, identically on
 * every member (the same bytes give the same outcome).
 */
export class KvStateMachine implements StateMachine<KvResult> {
  private readonly map = new Map<string, string>();

  get(key: string): string | undefined {
    return this.map.get(key);
  }

  get size(): number {
    return this.map.size;
  }

  apply(entries: readonly Entry[]): KvResult[] {
    return entries.map((entry) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(entry.data));
      } catch {
        return { index: entry.index };
      }
      const command = kvCommandSchema.safeParse(parsed);
      if (command.success) this.map.set(command.data.key, command.data.value);
      return { index: entry.index };
    });
  }

  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify([...this.map]));
  }

  restore(data: Uint8Array): void {
    this.map.clear();
    if (data.byteLength === 0) return;
    for (const [key, value] of JSON.parse(decoder.decode(data)) as [string, string][])
      this.map.set(key, value);
  }
}
