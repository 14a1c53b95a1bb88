import type { Logger, Storage } from '@avs/raft-core';
import { createDynamoStorage } from '@avs/storage-dynamodb';
import { FileStorage } from '@avs/storage-file';
import { createLevelStorage } from '@avs/storage-level';
import type { OperatorConfig } from './config.js';

/** Opens the Raft log storage the config names (file by default). The caller closes it. */
export async function openStorage(
  config: OperatorConfig['storage'],
  nodeId: string,
  clusterId: string,
  logger?: Logger,
): Promise<Storage> {
  switch (config.kind) {
    case 'file':
      // Recovery notes (a torn tail truncated, …) go to the operator's log instead of the console.
      return FileStorage.open({ dir: config.dir, ...(logger ? { logger } : {}) });
    case 'level':
      return createLevelStorage({ location: config.dir });
    case 'dynamodb':
      return createDynamoStorage({
        tableName: config.table,
        clusterId,
        nodeId,
        createTableIfMissing: config.createTableIfMissing,
        clientConfig: {
          region: config.region,
          ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
        },
      });
  }
}
