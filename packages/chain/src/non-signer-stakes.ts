/**
 * `NonSignerStakesAndSignature`, the argument of EigenLayer's `checkSignatures`, built from a BLS aggregate:
 * the one builder both task managers (ours and Incredible Squaring's) submit with.
 */
import { g1ToSolidity, g2ToSolidity } from '@avs/bls';
import { InvalidArgumentError } from './errors.js';
import type { OperatorRegistryReader } from './operator-registry-reader.js';
import type { NonSignerStakesAndSignatureStruct, ResponseAggregate } from './task-manager-client.js';
import type { Task } from './task-types.js';

/**
 * Reads the check-signature indices at the task's reference block and assembles the struct.
 * @throws InvalidArgumentError when the non-signer ids are not sorted ascending as uint256 (the
 *   contract requires it); RpcUnavailableError from the reader
 */
export async function buildNonSignerStakesAndSignature(
  reader: OperatorRegistryReader,
  task: Task,
  aggregate: ResponseAggregate,
): Promise<NonSignerStakesAndSignatureStruct> {
  const ids = [...aggregate.nonSignerOperatorIds];
  const sorted = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  if (sorted.some((id, i) => id !== ids[i])) {
    throw new InvalidArgumentError('aggregate.nonSignerOperatorIds must be sorted ascending as uint256');
  }
  const indices = await reader.getCheckSignaturesIndices(task.referenceBlockNumber, task.quorumNumbers, ids);
  return {
    nonSignerQuorumBitmapIndices: indices.nonSignerQuorumBitmapIndices,
    nonSignerPubkeys: aggregate.nonSignerPublicKeysG1.map(g1ToSolidity),
    quorumApks: aggregate.quorumApksG1.map(g1ToSolidity),
    apkG2: g2ToSolidity(aggregate.signersApkG2),
    sigma: g1ToSolidity(aggregate.signersAggSigG1),
    quorumApkIndices: indices.quorumApkIndices,
    totalStakeIndices: indices.totalStakeIndices,
    nonSignerStakeIndices: indices.nonSignerStakeIndices,
  };
}
