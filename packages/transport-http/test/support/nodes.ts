import type { Message, NodeId, TransportHandler } from '@avs/raft-core';
import { type HandshakeScheme, operatorKeyScheme } from '../../src/auth/handshake-scheme.js';
import type { HandshakeDomain } from '../../src/auth/typed-data.js';

/** The domain every test cluster uses. */
export const TEST_DOMAIN: HandshakeDomain = {
  chainId: 31337,
  verifyingContract: `0x${'c0'.repeat(20)}`,
  clusterId: `0x${'1d'.repeat(32)}`,
};

/** Deterministic operator identities: key n is 32 bytes of n. */
export function operator(n: number, domain: HandshakeDomain = TEST_DOMAIN): HandshakeScheme {
  return operatorKeyScheme({ privateKey: new Uint8Array(32).fill(n), domain });
}

/** A TransportHandler that records what it is given. */
export class RecordingHandler implements TransportHandler {
  readonly received: Message[] = [];
  readonly unreachable: NodeId[] = [];
  receive(message: Message): void {
    this.received.push(message);
  }
  reportUnreachable(peer: NodeId): void {
    this.unreachable.push(peer);
  }
  readonly snapshots: { peer: NodeId; ok: boolean }[] = [];
  reportSnapshot(peer: NodeId, ok: boolean): void {
    this.snapshots.push({ peer, ok });
  }
}

/** Resolves once `check` is true, polling every few ms; rejects after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
