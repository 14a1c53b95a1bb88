/** Where the storage reports what it repaired or noticed on open (torn tails, stale locks, orphans). */
export interface StorageLogger {
  warn(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
}

/** The default logger: `console.warn`/`console.info`. */
export const consoleLogger: StorageLogger = {
  warn: (message, details) => console.warn(message, details ?? ''),
  info: (message, details) => console.info(message, details ?? ''),
};
