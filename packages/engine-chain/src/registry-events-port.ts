/**
 * The engine's `RegistryEvents` port over `@avs/chain`'s registry log watcher.
 * The two event types are declared apart on purpose (chain sits below the
 * engine and cannot import its types); the mapping is written out kind by kind
 * so that a kind added to chain's events is a type error here, and one the
 * engine drops or renames fails to compile too.
 */
import type { RegistryEventSource, RegistryLogEvent } from '@avs/chain';
import type { RegistryEvent, RegistryEvents } from '@avs/engine';

/** The engine's view of one registry log event. */
export function engineRegistryEvent(event: RegistryLogEvent): RegistryEvent {
  switch (event.kind) {
    case 'registered':
    case 'deregistered':
      return { kind: event.kind, address: event.address, operatorId: event.operatorId };
    case 'endpoints-changed':
    case 'stake-changed':
      return { kind: event.kind, operatorId: event.operatorId };
    default: {
      // A kind added to @avs/chain's RegistryLogEvent fails to compile here until it is mapped.
      const unmapped: never = event;
      return unmapped;
    }
  }
}

/**
 * The engine's `RegistryEvents` port fed by a registry's log events (`registryEvents(...)` of `@avs/chain`).
 * @example createTaskConsensusEngine({ chain: { ...chain, registryEvents: engineRegistryEvents(source) }, ... })
 */
export function engineRegistryEvents(source: RegistryEventSource): RegistryEvents {
  return { watch: (listener) => source.watch((event) => listener(engineRegistryEvent(event))) };
}
