import type { OperationDescription } from './random-operations.js';

/**
 * Lines the crash child writes on stdout, one JSON object per line:
 * `ready` once open (with the log bounds it found), `begin` before it calls a
 * write, `ack` after that write's promise resolved (with the last index then acknowledged). Lines are written with a
 * synchronous `writeSync(1, …)`, so every `ack` the parent reads was resolved
 * before the kill.
 */
export type CrashLine =
  | { readonly kind: 'ready'; readonly firstIndex: number; readonly lastIndex: number }
  | { readonly kind: 'begin'; readonly seq: number; readonly operation: OperationDescription }
  | { readonly kind: 'ack'; readonly seq: number; readonly lastIndex: number };

/** Encodes one protocol line (with its newline). */
export function formatCrashLine(line: CrashLine): string {
  return `${JSON.stringify(line)}\n`;
}

/**
 * Decodes one protocol line.
 * @throws Error naming the line when it is not a protocol line.
 */
export function parseCrashLine(text: string): CrashLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new Error(`crash child wrote a line that is not JSON: ${JSON.stringify(text.slice(0, 200))}`, {
      cause,
    });
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (kind !== 'ready' && kind !== 'begin' && kind !== 'ack') {
    throw new Error(`crash child wrote an unknown line: ${JSON.stringify(text.slice(0, 200))}`);
  }
  return value as CrashLine;
}
