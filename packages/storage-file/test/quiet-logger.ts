import type { StorageLogger } from '../src/index.js';

/** A logger that records instead of printing, so tests can assert on what was reported. */
export function quietLogger(): StorageLogger & {
  lines: { level: string; message: string; details?: unknown }[];
} {
  const lines: { level: string; message: string; details?: unknown }[] = [];
  return {
    lines,
    warn: (message, details) => lines.push({ level: 'warn', message, details }),
    info: (message, details) => lines.push({ level: 'info', message, details }),
  };
}
