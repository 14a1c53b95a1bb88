/**
 * Shared set-up of the BlsAggregationService tests (`src/aggregation/service-*.test.ts`; not exported
 * from the package).
 */
import { ManualClock } from '@avs/raft-core';
import { BlsAggregationService } from '../src/aggregation/service.js';
import type {
  AggregatedResult,
  AggregationResult,
  EquivocationReport,
  InvalidSignatureReport,
  TaskParams,
} from '../src/aggregation/types.js';
import { digestOf, keyPair, operators } from './aggregation-fixtures.js';

export const D1 = digestOf('response 1');
export const D2 = digestOf('response 2');

export function task(taskIndex: number, extra: Partial<TaskParams> = {}): TaskParams {
  return {
    taskIndex,
    referenceBlock: 10,
    quorumNumbers: [0],
    thresholdPercentages: [67],
    expiry: { afterMs: 60_000 },
    ...extra,
  };
}

export function setup(
  n: number,
  stakes?: (i: number) => Record<number, bigint>,
  options: { verificationDelayMs?: number } = {},
) {
  const { provider, keys } = operators(n, stakes);
  const clock = new ManualClock();
  const service = new BlsAggregationService({ operatorState: provider, clock, ...options });
  const results: AggregationResult[] = [];
  const invalid: InvalidSignatureReport[] = [];
  const equivocations: EquivocationReport[] = [];
  service.onResult((r) => results.push(r));
  service.onInvalidSignature((r) => invalid.push(r));
  service.onEquivocation((r) => equivocations.push(r));
  const sign = (taskIndex: number, i: number, digest = D1) =>
    service.processSignature({
      taskIndex,
      digest,
      signature: keyPair(i).sign(digest),
      operatorId: keyPair(i).operatorId,
    });
  return { service, clock, provider, keys, results, invalid, equivocations, sign };
}

export const flush = () => new Promise<void>((r) => setTimeout(r, 0));
export const asAggregated = (r: AggregationResult | undefined): AggregatedResult => {
  if (r?.status !== 'aggregated')
    throw new Error(`expected an aggregated result, got ${JSON.stringify(r?.status)}`);
  return r;
};
