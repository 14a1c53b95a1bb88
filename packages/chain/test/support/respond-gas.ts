// Measures respondToTask gas by number of non-signers (used by test/gas.test.ts and bench/chain.bench.ts).
import { taskManagerAbi } from '@avs/contracts';
import { Contract, type InterfaceAbi, keccak256, toUtf8Bytes } from 'ethers';
import { taskResponseDigest, taskToStruct } from '../../src/index.js';
import { type AvsNetwork, aggregateFor } from './avs-network.js';

export interface GasRow {
  nonSigners: number;
  signers: number;
  /** gasUsed of the respondToTask transaction (includes 21,000 intrinsic gas and calldata). */
  respondToTaskGas: number;
  /** eth_estimateGas of checkSignatures alone, minus the 21,000 intrinsic gas (calldata included). */
  checkSignaturesGas: number;
  /** checkSignaturesGas minus its calldata cost (4 per zero byte, 16 per other byte): execution only. */
  checkSignaturesExecutionGas: number;
  /** EigenLayer's checkSignatures anchor: 160,000 + 18,700 per non-signer (single quorum). */
  eigenLayerAnchor: number;
}

/** One task per count; the first `n` operators do not sign. Threshold 1% so every count passes. */
export async function measureRespondGas(net: AvsNetwork, nonSignerCounts: number[]): Promise<GasRow[]> {
  const tm = new Contract(net.tasks.address, taskManagerAbi as InterfaceAbi, net.provider);
  const rows: GasRow[] = [];
  for (const n of nonSignerCounts) {
    const created = await net.tasks.createTask({
      payloadHash: keccak256(toUtf8Bytes(`gas ${n}`)),
      quorumNumbers: [0],
      quorumThresholdPercentage: 1,
    });
    const response = { referenceTaskIndex: created.taskIndex, result: '0x2a' };
    const digest = taskResponseDigest(response);
    const signers = net.operators.slice(n).map((o) => o.key);
    const aggregate = await aggregateFor(net, created.taskIndex, created.task, digest, signers);
    const params = await net.tasks.buildNonSignerStakesAndSignature(created.task, aggregate);
    const data = tm.interface.encodeFunctionData('checkSignatures', [
      digest,
      taskToStruct(created.task).quorumNumbers,
      created.task.referenceBlockNumber,
      params,
    ]);
    const checkGas = await net.provider.estimateGas({ to: net.tasks.address, data });
    const submitted = await net.tasks.submitResponse(created.task, response, aggregate);
    rows.push({
      nonSigners: n,
      signers: signers.length,
      respondToTaskGas: Number(submitted.gasUsed),
      checkSignaturesGas: Number(checkGas) - 21_000,
      checkSignaturesExecutionGas: Number(checkGas) - 21_000 - calldataGas(data),
      eigenLayerAnchor: 160_000 + 18_700 * n,
    });
  }
  return rows;
}

function calldataGas(data: string): number {
  let gas = 0;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === '00' ? 4 : 16;
  return gas;
}

/** The rows as a printable table. */
export function formatGasTable(rows: GasRow[]): string {
  const header = [
    'non-signers',
    'signers',
    'respondToTask tx',
    'checkSignatures',
    'checkSignatures exec',
    'EigenLayer anchor',
    'exec/anchor',
  ];
  const lines = rows.map((r) => [
    String(r.nonSigners),
    String(r.signers),
    r.respondToTaskGas.toLocaleString('en-US'),
    r.checkSignaturesGas.toLocaleString('en-US'),
    r.checkSignaturesExecutionGas.toLocaleString('en-US'),
    r.eigenLayerAnchor.toLocaleString('en-US'),
    (r.checkSignaturesExecutionGas / r.eigenLayerAnchor).toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
