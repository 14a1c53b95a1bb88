/** Parsers of option values; a bad value is a one-line usage error naming the option. */
import { InvalidArgumentError } from 'commander';

/** A non-negative number (`--task-rate 0.5`, `--duration 60`). */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('expected a non-negative number.');
  return n;
}

/** An integer from 0 to 65535 (`--dashboard-port`; 0 picks a free port). */
export function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('expected a port number from 0 to 65535.');
  return n;
}

/** A positive integer (`--operators`). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

/** An integer from 0 to 256 (`--batch-max-tasks`; 0 turns batching off). */
export function batchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 256)
    throw new InvalidArgumentError('expected an integer from 0 to 256.');
  return n;
}
