import { describe, expect, it } from 'vitest';
import type { EngineRpcHandler } from '../ports/engine-transport.js';
import { createMemoryEngineNetwork, memoryUrl } from './memory-engine-network.js';

// An operator address in its EIP-55 checksummed form, as ethers and viem return it.
const checksummed = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

function recordingHandler(seen: { forwardedBy?: string | undefined }[]): EngineRpcHandler {
  return {
    async submitResponses() {
      return { accepted: 0 } as never;
    },
    async join(_body, forwardedBy) {
      seen.push({ forwardedBy });
      return { ok: true } as never;
    },
    status: () => ({}),
    isPeerAllowed: () => true,
  };
}

describe('createMemoryEngineNetwork', () => {
  it('reaches an engine whichever case its address is written in', async () => {
    const network = createMemoryEngineNetwork();
    const seen: { forwardedBy?: string | undefined }[] = [];
    // The engine's node id is the lower-case address; the caller used the checksummed one.
    network.endpoint(checksummed).serve(recordingHandler(seen));
    const caller = network.endpoint('0x0000000000000000000000000000000000000001');

    await caller.client.join(memoryUrl(checksummed), {} as never, 1_000);
    await caller.client.join(`mem://${checksummed.toLowerCase()}`, {} as never, 1_000);
    await caller.client.forwardJoin(
      { id: checksummed, httpUrl: memoryUrl(checksummed) } as never,
      {} as never,
      1_000,
    );

    expect(seen).toHaveLength(3);
    expect(seen[2]?.forwardedBy).toBe('0x0000000000000000000000000000000000000001');
    expect(memoryUrl(checksummed)).toBe(`mem://${checksummed.toLowerCase()}`);
  });

  it('cuts a checksummed endpoint off when isolated by its lower-case id', async () => {
    const network = createMemoryEngineNetwork();
    network.endpoint(checksummed).serve(recordingHandler([]));
    const caller = network.endpoint('0x0000000000000000000000000000000000000001');
    caller.serve(recordingHandler([]));
    network.isolate(checksummed.toLowerCase());
    await expect(caller.client.join(memoryUrl(checksummed), {} as never, 1_000)).rejects.toMatchObject({
      code: 'PEER_CALL_FAILED',
    });
    network.heal();
    await expect(caller.client.join(memoryUrl(checksummed), {} as never, 1_000)).resolves.toBeDefined();
  });
});
