/**
 * Membership changes read from a registry's logs: EigenLayer's
 * RegistryCoordinator (`OperatorRegistered(address,bytes32)`,
 * `OperatorDeregistered(address,bytes32)`, `OperatorSocketUpdate(bytes32,string)`)
 * and this project's OperatorRegistry (the same with a `bytes quorumNumbers`
 * field, and `OperatorEndpointsUpdated`), plus `OperatorStakeUpdate(bytes32,uint8,uint96)`
 * from this project's OperatorRegistry or EigenLayer's StakeRegistry (a separate
 * contract there: give it as `stakeRegistry`). Operator and id are indexed topics,
 * so no field of the data is trusted or needed: a consumer re-reads the
 * registry before it acts (`@avs/engine-chain` hands these to the engine).
 */
import { getAddress, id, isAddress, type Log, type Provider } from 'ethers';
import { InvalidArgumentError } from './errors.js';
import { watchLogs } from './log-watch.js';
import type { RetryOptions } from './retry.js';

/** One membership change of a registry, from a log's indexed topics (addresses and ids lowercase). */
export type RegistryLogEvent =
  | { readonly kind: 'registered' | 'deregistered'; readonly address: string; readonly operatorId: string }
  | { readonly kind: 'endpoints-changed'; readonly operatorId: string }
  /** `OperatorStakeUpdate`: the stake itself is not read (re-read the registry before acting). */
  | { readonly kind: 'stake-changed'; readonly operatorId: string };

/** A registry's membership changes as they are mined. */
export interface RegistryEventSource {
  /** Calls `listener` for each change from the next block on. @returns a stop function */
  watch(listener: (event: RegistryLogEvent) => void): () => void;
}

const REGISTERED = [
  id('OperatorRegistered(address,bytes32)'),
  id('OperatorRegistered(address,bytes32,bytes)'),
];
const DEREGISTERED = [
  id('OperatorDeregistered(address,bytes32)'),
  id('OperatorDeregistered(address,bytes32,bytes)'),
];
const ENDPOINTS = [
  id('OperatorSocketUpdate(bytes32,string)'),
  id('OperatorEndpointsUpdated(bytes32,string,string)'),
];
// Older EigenLayer middleware named it `StakeUpdate`, with the same fields.
const STAKE = [id('OperatorStakeUpdate(bytes32,uint8,uint96)'), id('StakeUpdate(bytes32,uint8,uint96)')];

/** Options of {@link registryEvents}. */
export interface RegistryEventsOptions {
  provider: Provider;
  /** RegistryCoordinator (EigenLayer) or OperatorRegistry (this project). */
  registry: string;
  /**
   * EigenLayer's StakeRegistry, which emits `OperatorStakeUpdate` there (this project's
   * OperatorRegistry emits it itself); default none.
   */
  stakeRegistry?: string;
  /** Poll interval, ms; default 500. */
  pollIntervalMs?: number;
  retry?: RetryOptions;
  /** Poll errors (polling goes on); default ignored. */
  onError?: (error: unknown) => void;
}

/** Decodes one registry log into a {@link RegistryLogEvent}, or undefined for another event. */
export function parseRegistryLog(log: Log): RegistryLogEvent | undefined {
  const [topic, a, b] = log.topics;
  if (topic === undefined || a === undefined) return undefined;
  if (REGISTERED.includes(topic) || DEREGISTERED.includes(topic)) {
    if (b === undefined) return undefined;
    const address = `0x${a.slice(26)}`;
    if (!isAddress(address)) return undefined;
    return {
      kind: REGISTERED.includes(topic) ? 'registered' : 'deregistered',
      address: getAddress(address).toLowerCase(),
      operatorId: b.toLowerCase(),
    };
  }
  if (ENDPOINTS.includes(topic)) return { kind: 'endpoints-changed', operatorId: a.toLowerCase() };
  if (STAKE.includes(topic)) return { kind: 'stake-changed', operatorId: a.toLowerCase() };
  return undefined;
}

/**
 * The registry's membership and stake events from the next block on, polled with `eth_getLogs`.
 * @throws InvalidArgumentError for a malformed registry or stake registry address
 */
export function registryEvents(options: RegistryEventsOptions): RegistryEventSource {
  const addresses = [
    options.registry,
    ...(options.stakeRegistry === undefined ? [] : [options.stakeRegistry]),
  ];
  for (const a of addresses) {
    if (!isAddress(a)) throw new InvalidArgumentError(`registry must be an address, got ${String(a)}`);
  }
  const address = addresses.map((a) => getAddress(a));
  return {
    watch: (listener) =>
      watchLogs(
        options.provider,
        { address, topics: [[...REGISTERED, ...DEREGISTERED, ...ENDPOINTS, ...STAKE]] },
        (log) => {
          const event = parseRegistryLog(log);
          if (event) listener(event);
        },
        {
          pollIntervalMs: options.pollIntervalMs ?? 500,
          ...(options.onError ? { onError: options.onError } : {}),
        },
        options.retry,
      ),
  };
}
