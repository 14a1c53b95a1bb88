import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AvsNetwork, startAvsNetwork } from './support/avs-network.js';
import { formatGasTable, measureRespondGas } from './support/respond-gas.js';

let net: AvsNetwork;

beforeAll(async () => {
  net = await startAvsNetwork({ count: 51, stake: 100n });
}, 240_000);

afterAll(async () => {
  await net?.close();
});

describe('respondToTask gas', () => {
  it('is reported for 0, 1, 10 and 50 non-signers (all accepted on-chain)', async () => {
    const rows = await measureRespondGas(net, [0, 1, 10, 50]);
    console.log(`respondToTask gas on anvil (51 operators, one quorum):\n${formatGasTable(rows)}`);
    expect(rows.map((r) => r.nonSigners)).toEqual([0, 1, 10, 50]);
    for (const r of rows) expect(r.respondToTaskGas).toBeGreaterThan(r.checkSignaturesGas > 0 ? 21_000 : 0);
    // Sanity only: each non-signer costs something, so the cost grows with their number.
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.respondToTaskGas).toBeGreaterThan(rows[i - 1]!.respondToTaskGas);
    }
    for (let i = 0; i < rows.length; i++) expect(await net.tasks.isResponded(i)).toBe(true);
  }, 120_000);
});
