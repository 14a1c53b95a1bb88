import { JsonRpcProvider } from 'ethers';

export interface CreateProviderOptions {
  /** Polling interval for receipts and logs, ms; default 50 for a local node, use ~1000-4000 for a public RPC. */
  pollingInterval?: number;
  /** Chain id if known (skips detection); default: detected once, then fixed. */
  chainId?: number;
}

/**
 * A JsonRpcProvider tuned for this package: a static network (no chain-id call per request), a
 * short polling interval, and no request cache (ethers caches identical calls for 250 ms by
 * default, which returns stale nonces and block numbers). Call `destroy()` when done.
 */
export function createProvider(rpcUrl: string, options: CreateProviderOptions = {}): JsonRpcProvider {
  return new JsonRpcProvider(rpcUrl, options.chainId, {
    staticNetwork: true,
    pollingInterval: options.pollingInterval ?? 50,
    cacheTimeout: -1,
  });
}
