/**
 * The operator's logs: structured JSON lines with levels (pino), one child
 * logger per component (operator, engine, raft, transport), pretty-printed
 * when a person is watching a terminal.
 */
import type { Logger as RaftLogger } from '@avs/raft-core';
import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

/** Levels `--log-level` accepts, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options of {@link createOperatorLogger}. */
export interface OperatorLoggerOptions {
  readonly level?: LogLevel;
  /** `pretty`: coloured one-liners for a terminal; `json`: one JSON object per line. Default json. */
  readonly format?: 'json' | 'pretty';
  /** Where lines go; default stdout. */
  readonly destination?: DestinationStream;
}

/** A pino logger for the operator process. */
export function createOperatorLogger(options: OperatorLoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  if (options.format === 'pretty') {
    // Synchronous: a crash still prints its last lines.
    const stream = pretty({
      sync: true,
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      ...(options.destination ? { destination: options.destination } : {}),
    });
    return pino(settings, stream);
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/**
 * The `Logger` that @avs/raft-core and @avs/engine take (message first, fields second),
 * writing into a child of `log` tagged with `component`.
 */
export function componentLogger(log: Logger, component: string): RaftLogger {
  const child = log.child({ component });
  return {
    debug: (message, fields) => child.debug(fields ?? {}, message),
    info: (message, fields) => child.info(fields ?? {}, message),
    warn: (message, fields) => child.warn(fields ?? {}, message),
    error: (message, fields) => child.error(fields ?? {}, message),
  };
}
