/**
 * A JSON-lines logger for the server process: one object per line on stderr
 * (stdout carries only the `ready` line), usable as raft-core's `Logger` and
 * as the storage backends' logger.
 */
import type { Logger } from '@avs/raft-core';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
/** Log levels, least to most severe. */
export type LogLevel = keyof typeof LEVELS;

/**
 * Creates a logger writing lines at or above `level`.
 * @param fields added to every line (e.g. the node id)
 * @param write where lines go; default stderr
 */
export function createJsonLogger(
  level: LogLevel,
  fields: Record<string, unknown> = {},
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const min = LEVELS[level];
  const log = (l: LogLevel) => (message: string, extra?: Record<string, unknown>) => {
    if (LEVELS[l] < min) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: l, ...fields, message, ...extra })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
