import type { RegistryEventSource, RegistryLogEvent } from '@avs/chain';
import type { RegistryEvent } from '@avs/engine';
import { describe, expect, it } from 'vitest';
import { engineRegistryEvents } from './registry-events-port.js';

const OPERATOR = `0x${'ab'.repeat(20)}`;
const OPERATOR_ID = `0x${'cd'.repeat(32)}`;

/** A source whose events the test emits by hand, and that records whether it was stopped. */
function manualSource() {
  const listeners = new Set<(event: RegistryLogEvent) => void>();
  const source: RegistryEventSource = {
    watch(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (e: RegistryLogEvent) => {
    for (const l of listeners) l(e);
  };
  return { source, emit, listeners };
}

describe('engineRegistryEvents', () => {
  it("hands every kind of chain's registry event to the engine's listener, field for field", () => {
    const { source, emit } = manualSource();
    const seen: RegistryEvent[] = [];
    engineRegistryEvents(source).watch((e) => seen.push(e));
    const events: RegistryLogEvent[] = [
      { kind: 'registered', address: OPERATOR, operatorId: OPERATOR_ID },
      { kind: 'endpoints-changed', operatorId: OPERATOR_ID },
      { kind: 'stake-changed', operatorId: OPERATOR_ID },
      { kind: 'deregistered', address: OPERATOR, operatorId: OPERATOR_ID },
    ];
    events.forEach(emit);
    expect(seen).toEqual(events);
  });

  it("stopping the engine's watch stops the chain's", () => {
    const { source, emit, listeners } = manualSource();
    const seen: RegistryEvent[] = [];
    const stop = engineRegistryEvents(source).watch((e) => seen.push(e));
    expect(listeners.size).toBe(1);
    stop();
    expect(listeners.size).toBe(0);
    emit({ kind: 'endpoints-changed', operatorId: OPERATOR_ID });
    expect(seen).toEqual([]);
  });
});
