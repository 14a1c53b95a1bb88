/**
 * `avs-operator recover --force-new-cluster`: the runbook step for a cluster that lost a majority
 * of its voters for good (see the README, "Recovering from a lost quorum"). With this operator
 * stopped, its storage is rewritten so that it is the only voter of a new configuration; started
 * again, it elects itself, and the other operators join it with fresh storage.
 */
import { readFile } from 'node:fs/promises';
import { EngineError, forceNewCluster } from '@avs/engine';
import { Command, Option } from 'commander';
import { loadOperatorConfig } from '../config.js';
import { OperatorError, UsageError } from '../errors.js';
import { openStorage } from '../storage-factory.js';
import type { CliIo } from './cli-io.js';
import { configOption } from './start-command.js';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The operator's address from its ECDSA keystore (V3 keystores store it in clear), without decrypting. */
async function keystoreAddress(path: string): Promise<string | undefined> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as { address?: unknown };
    if (typeof json.address !== 'string') return undefined;
    const address = json.address.startsWith('0x') ? json.address : `0x${json.address}`;
    return ADDRESS.test(address) ? address : undefined;
  } catch {
    return undefined;
  }
}

/** `avs-operator recover`. */
export function recoverCommand(io: CliIo): Command {
  return new Command('recover')
    .description(
      'rebuild a cluster that lost a majority of its voters for good: this stopped operator becomes its only voter',
    )
    .addOption(configOption())
    .addOption(
      new Option(
        '--force-new-cluster',
        "rewrite this operator's Raft storage into a one-voter cluster (required: the only recovery mode)",
      ).env('AVS_FORCE_NEW_CLUSTER'),
    )
    .addOption(
      new Option(
        '--address <address>',
        "this operator's address (default: the keystore's address field)",
      ).env('AVS_OPERATOR_ADDRESS'),
    )
    .addHelpText(
      'after',
      `
Run it only when a majority of the voters is gone for good, with every operator stopped, on the survivor with
the highest commit index. Then start it, and have every other operator wipe its storage and join again.
Never start a lost voter on its old storage afterwards. See the README, "Recovering from a lost quorum".

Example:
  avs-operator recover --force-new-cluster --config operator.json`,
    )
    .action(async (o: { config: string; forceNewCluster?: boolean; address?: string }) => {
      if (!o.forceNewCluster) {
        throw new UsageError('recover rewrites the Raft storage: pass --force-new-cluster to confirm');
      }
      const config = await loadOperatorConfig(o.config);
      const address = o.address ?? (await keystoreAddress(config.keys.ecdsaKeystore));
      if (address === undefined || !ADDRESS.test(address)) {
        throw new UsageError(
          `--address: expected this operator's 0x address (${config.keys.ecdsaKeystore} names none)`,
        );
      }
      // File and LevelDB storage lock their directory: a running operator makes this fail instead of racing it.
      const storage = await openStorage(config.storage, address.toLowerCase(), config.cluster.id);
      try {
        const result = await forceNewCluster({ storage, id: address });
        io.out(
          `${JSON.stringify(
            {
              voters: result.confState.voters,
              learners: result.confState.learners,
              snapshotIndex: result.index,
              term: result.term,
              keptCommittedIndex: result.committed,
              droppedUncommittedEntries: result.droppedEntries,
              removedMembers: result.removedMembers,
            },
            null,
            2,
          )}\n` +
            'recovered: start this operator; every other operator must wipe its storage and join again.\n',
        );
      } catch (error) {
        if (error instanceof EngineError)
          throw new OperatorError(error.code, error.message, { cause: error });
        throw error;
      } finally {
        await storage.close();
      }
    });
}
