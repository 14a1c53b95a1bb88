/**
 * One place that connects to a deployment of our AVS contracts: the registry reader and the task manager
 * client built over it, the pair every operator, devnet, test harness and chaos scenario needs.
 */
import type { Provider, Signer } from 'ethers';
import { AvsRegistryReader } from './avs-registry-reader.js';
import type { RetryOptions } from './retry.js';
import { TaskManagerClient, type TaskManagerClientOptions } from './task-manager-client.js';

/** The addresses {@link connectAvs} needs (a `startLocalAvs` deployment or an operator config has them). */
export interface AvsContracts {
  /** Our OperatorRegistry (the registry coordinator of our contracts). */
  readonly operatorRegistry: string;
  readonly operatorStateRetriever: string;
  readonly taskManager: string;
}

/** Options of {@link connectAvs}. */
export interface ConnectAvsOptions {
  readonly provider: Provider;
  readonly contracts: AvsContracts;
  /** Needed to create tasks and submit responses (a Wallet); read-only without. */
  readonly signer?: Signer;
  /** RPC retries of both clients. */
  readonly retry?: RetryOptions;
  /** Passed to the task manager's transaction sender. */
  readonly transactions?: TaskManagerClientOptions['transactions'];
}

/** What {@link connectAvs} returns. */
export interface AvsConnection {
  readonly reader: AvsRegistryReader;
  readonly taskManager: TaskManagerClient;
}

/**
 * Builds the {@link AvsRegistryReader} of a deployment and the {@link TaskManagerClient} reading through it.
 * @throws InvalidArgumentError when an address is malformed
 * @example const { reader, taskManager } = connectAvs({ provider, contracts: avs.deployment, signer: wallet });
 */
export function connectAvs(options: ConnectAvsOptions): AvsConnection {
  const { provider, contracts, signer, retry, transactions } = options;
  const reader = new AvsRegistryReader({
    provider,
    registryCoordinator: contracts.operatorRegistry,
    operatorStateRetriever: contracts.operatorStateRetriever,
    ...(retry ? { retry } : {}),
  });
  const taskManager = new TaskManagerClient({
    provider,
    taskManager: contracts.taskManager,
    reader,
    ...(signer ? { signer } : {}),
    ...(retry ? { retry } : {}),
    ...(transactions ? { transactions } : {}),
  });
  return { reader, taskManager };
}
