import type { Log, Provider } from 'ethers';
import { type RetryOptions, withRetry } from './retry.js';
import type { WatchOptions } from './task-manager-client.js';

/**
 * Polls `eth_getLogs` for one contract (or a few) and topic filter from `options.fromBlock`
 * (default: the next block) in ranges of `maxBlockRange`, calling `onLog` for each
 * log in order. Errors of a poll go to `options.onError`; polling goes on.
 * @returns a stop function
 */
export function watchLogs(
  provider: Provider,
  filter: { address: string | string[]; topics: (string | string[] | null)[] },
  onLog: (log: Log) => void,
  options: WatchOptions = {},
  retry: RetryOptions = {},
): () => void {
  const interval = options.pollIntervalMs ?? 250;
  const range = options.maxBlockRange ?? 1000;
  let next: number | undefined = options.fromBlock;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async () => {
    try {
      const latest = await withRetry('eth_blockNumber', () => provider.getBlockNumber(), retry);
      if (next === undefined) next = latest + 1;
      while (!stopped && next <= latest) {
        const from = next;
        const to = Math.min(latest, from + range - 1);
        const logs = await withRetry(
          'eth_getLogs',
          () => provider.getLogs({ ...filter, fromBlock: from, toBlock: to }),
          retry,
        );
        for (const log of logs) if (!stopped) onLog(log);
        next = to + 1;
      }
    } catch (error) {
      options.onError?.(error);
    }
    if (!stopped) timer = setTimeout(poll, interval);
  };
  timer = setTimeout(poll, 0);
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
