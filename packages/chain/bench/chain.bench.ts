// Gas of respondToTask by number of non-signers (and of respondToBatch per task by batch size), against EigenLayer's checkSignatures anchor
// (about 160,000 + 18,700 per non-signer, single quorum). Starts its own anvil.
// Run: pnpm --filter @avs/chain bench   -> prints a table, writes <repo>/bench-results/chain.json
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { solcVersion } from '@avs/contracts';
import { startAvsNetwork } from '../test/support/avs-network.js';
import { measureBatchGas } from '../test/support/batch-gas.js';
import { formatGasTable, measureRespondGas } from '../test/support/respond-gas.js';

// BENCH_SMOKE=1 (CI): three rows, few registrations.
const counts = process.env.BENCH_SMOKE === '1' ? [0, 1, 2] : [0, 1, 2, 5, 10, 20, 50, 100];
// Two signers always remain, so even 100 non-signers reach the 1% threshold.
const operators = Math.max(...counts) + 2;
const net = await startAvsNetwork({ count: operators, stake: 100n });
try {
  const rows = await measureRespondGas(net, counts);
  console.log(
    `respondToTask gas on anvil (${operators} operators, one quorum, hardfork prague, solc ${solcVersion}):`,
  );
  console.log(formatGasTable(rows));
  // Per-non-signer slope between the first and last row.
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const slope =
    (last.checkSignaturesExecutionGas - first.checkSignaturesExecutionGas) /
    (last.nonSigners - first.nonSigners);
  console.log(
    `\nper non-signer (execution): ${Math.round(slope).toLocaleString('en-US')} gas (anchor 18,700)`,
  );
  // respondToBatch: one signature check for the whole batch (goal: at most 20,000 gas per task at 64).
  const batch = await measureBatchGas(net, [1, 8, 64]);
  console.log('\nrespondToBatch gas (all operators sign, 32-byte results):');
  for (const r of batch) {
    console.log(
      `  ${String(r.tasks).padStart(3)} tasks: ${r.gasUsed.toLocaleString('en-US')} gas, ${r.gasPerTask.toLocaleString('en-US')} per task`,
    );
  }
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const dir = process.env.BENCH_RESULTS_DIR ?? join(root, 'bench-results');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'chain.json');
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        benchmark: 'chain: respondToTask gas by non-signer count',
        date: new Date().toISOString(),
        chain: 'anvil 1.7.1, hardfork prague',
        solc: solcVersion,
        operators,
        quorums: 1,
        anchor: { base: 160_000, perNonSigner: 18_700, source: 'EigenLayer BLSSignatureChecker (issue 8)' },
        perNonSignerExecutionGas: Math.round(slope),
        rows,
        batch,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${out}`);
} finally {
  await net.close();
}
