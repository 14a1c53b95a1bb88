/**
 * A task request as the leader puts it in the log: the task metadata with
 * expiries filled in, and the request id (derived from the task indexes, so
 * the same tasks always get the same id and a resent request is a duplicate).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { EngineError } from '../errors.js';
import { type TaskMeta, taskMetaSchema } from './task-command.js';

/** A task to create: {@link TaskMeta} whose expiry defaults to now + `taskTimeoutMs`. */
export type TaskSpec = Omit<TaskMeta, 'expiresAtMs'> & { readonly expiresAtMs?: number };

/**
 * Validates the specs and fills in expiries.
 * @throws EngineError `INVALID_REQUEST` naming the task
 */
export function taskRequestOf(
  specs: readonly TaskSpec[],
  nowMs: number,
  taskTimeoutMs: number,
): { requestId: string; metas: TaskMeta[]; taskIndexes: number[] } {
  const now = Math.floor(nowMs);
  const metas: TaskMeta[] = [];
  for (const spec of specs) {
    const meta = taskMetaSchema.safeParse({ ...spec, expiresAtMs: spec.expiresAtMs ?? now + taskTimeoutMs });
    if (!meta.success)
      throw new EngineError('INVALID_REQUEST', `task ${spec.taskIndex}: ${meta.error.issues[0]?.message}`);
    metas.push(meta.data);
  }
  const taskIndexes = metas.map((m) => m.taskIndex);
  const requestId = `req-${bytesToHex(keccak_256(utf8ToBytes(taskIndexes.join(',')))).slice(0, 32)}`;
  return { requestId, metas, taskIndexes };
}
