/**
 * The commands kv puts in the Raft log, and their results. Encoded as UTF-8
 * JSON with a version tag so a later format can be told apart; decoding is
 * strict (zod), and an entry that does not decode is skipped identically on
 * every node (see `KvStateMachine`).
 */
import { z } from 'zod';

/** Largest key, in UTF-16 code units (keys are strings). */
export const MAX_KEY_LENGTH = 1024;
/** Largest value, in UTF-16 code units. */
export const MAX_VALUE_LENGTH = 1024 * 1024;

const key = z.string().min(1).max(MAX_KEY_LENGTH);
const value = z.string().max(MAX_VALUE_LENGTH);

/** What a compare-and-set compares: the current value (`null` = absent) or the key's last modification revision (0 = absent). */
export const compareSchema = z.union([
  z.strictObject({ value: value.nullable() }),
  z.strictObject({ modRevision: z.number().int().min(0) }),
]);
export type Compare = z.infer<typeof compareSchema>;

/** An http(s) base URL without a trailing slash. */
export const urlSchema = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#]+$/, 'expected a base URL like http://127.0.0.1:7001 (no path)');

/** A member's addresses, recorded in the replicated state so every node (and every snapshot) knows them. */
export const memberInfoSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9._-]+$/, 'expected letters, digits, ".", "_" or "-"'),
  /** Where peers send Raft traffic. */
  peerUrl: urlSchema,
  /** Where clients reach the kv API. */
  clientUrl: urlSchema,
});
export type MemberInfo = z.infer<typeof memberInfoSchema>;

/** One replicated command. */
export const commandSchema = z.discriminatedUnion('op', [
  z.strictObject({ v: z.literal(1), op: z.literal('put'), key, value }),
  z.strictObject({ v: z.literal(1), op: z.literal('delete'), key }),
  z.strictObject({ v: z.literal(1), op: z.literal('cas'), key, value, expect: compareSchema }),
  z.strictObject({ v: z.literal(1), op: z.literal('member'), member: memberInfoSchema }),
]);
export type KvCommand = z.infer<typeof commandSchema>;

/** A stored key with etcd-style revisions. */
export interface KvRecord {
  readonly value: string;
  /** Revision of the write that created the key (since its last deletion). */
  readonly createRevision: number;
  /** Revision of the key's latest write. */
  readonly modRevision: number;
  /** Writes since creation (1 after the first put). */
  readonly version: number;
}

/** What applying one command produced. `revision` is the store's revision after it. */
export type KvResult =
  | { readonly op: 'put'; readonly revision: number; readonly prev: KvRecord | null }
  | { readonly op: 'delete'; readonly revision: number; readonly prev: KvRecord | null }
  | {
      readonly op: 'cas';
      readonly revision: number;
      readonly succeeded: boolean;
      /** The record after the operation (the unchanged one when the compare failed). */
      readonly current: KvRecord | null;
    }
  | { readonly op: 'member'; readonly revision: number }
  | { readonly op: 'invalid'; readonly revision: number; readonly reason: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a command for `propose`. */
export function encodeCommand(command: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

/**
 * Decodes a log entry's data.
 * @returns the command, or a reason string when the bytes are not a valid command
 */
export function decodeCommand(data: Uint8Array): KvCommand | string {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch {
    return 'not UTF-8 JSON';
  }
  const parsed = commandSchema.safeParse(json);
  if (!parsed.success) return `not a kv command: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  return parsed.data;
}
