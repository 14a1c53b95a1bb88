/**
 * Checks before an operator starts: a wrong RPC URL, chain, contract address
 * or an unregistered key otherwise shows up only as silence or late errors.
 * Each failure is one line saying what to fix.
 */
import { AvsRegistryReader, createProvider, EigenLayerRegistryReader } from '@avs/chain';
import type { OperatorConfig } from './config.js';
import { StartupCheckError } from './errors.js';

/** What the checks need from the config. */
export type StartupCheckConfig = Pick<OperatorConfig, 'rpcUrl' | 'chainId' | 'contracts'> &
  Partial<Pick<OperatorConfig, 'chain' | 'fromBlock'>>;

/** The operator's identity to look up on-chain. */
export interface StartupIdentity {
  readonly address: string;
  readonly operatorId: string;
}

/** What passed, for the start log. */
export interface StartupCheckReport {
  readonly chainId: number;
  readonly blockNumber: number;
  /** Stake per quorum the operator is registered in. */
  readonly stakes: Readonly<Record<string, string>>;
}

async function rpc(url: string, method: string, params: unknown[], timeoutMs: number): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    const reason =
      (cause as Error).name === 'TimeoutError'
        ? `no answer in ${timeoutMs} ms`
        : (inner?.code ?? inner?.message ?? (cause as Error).message);
    throw new StartupCheckError(
      `rpcUrl: ${url} does not answer (${reason}): start the Ethereum node or fix rpcUrl`,
      { cause },
    );
  }
  let body: { result?: unknown; error?: { message?: string } };
  try {
    body = (await response.json()) as typeof body;
  } catch (cause) {
    throw new StartupCheckError(
      `rpcUrl: ${url} answered HTTP ${response.status} without JSON-RPC: is it an Ethereum JSON-RPC endpoint?`,
      { cause },
    );
  }
  if (body.error || body.result === undefined) {
    throw new StartupCheckError(
      `rpcUrl: ${url} refused ${method}: ${body.error?.message ?? 'no result'}: is it an Ethereum JSON-RPC endpoint?`,
    );
  }
  return body.result;
}

/**
 * Runs every check in order and stops at the first failure.
 * @throws {StartupCheckError} with a one-line message naming the config field to fix
 */
export async function runStartupChecks(
  config: StartupCheckConfig,
  identity: StartupIdentity,
  options: { timeoutMs?: number } = {},
): Promise<StartupCheckReport> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const chainId = Number(BigInt(String(await rpc(config.rpcUrl, 'eth_chainId', [], timeoutMs))));
  if (chainId !== config.chainId) {
    throw new StartupCheckError(
      `chainId: the node at ${config.rpcUrl} is on chain ${chainId}, the config says ${config.chainId}: fix chainId or rpcUrl`,
    );
  }
  const blockNumber = Number(BigInt(String(await rpc(config.rpcUrl, 'eth_blockNumber', [], timeoutMs))));
  for (const [name, address] of Object.entries(config.contracts)) {
    const code = await rpc(config.rpcUrl, 'eth_getCode', [address, 'latest'], timeoutMs);
    if (typeof code !== 'string' || code === '0x' || code === '') {
      throw new StartupCheckError(
        `contracts.${name}: no contract code at ${address} on chain ${chainId}: fix the address (deployed on another chain?)`,
      );
    }
  }
  const provider = createProvider(config.rpcUrl, { chainId: config.chainId });
  try {
    const contracts = {
      provider,
      registryCoordinator: config.contracts.operatorRegistry,
      operatorStateRetriever: config.contracts.operatorStateRetriever,
    };
    // EigenLayer's RegistryCoordinator on `chain.kind: eigenlayer`, this project's registry otherwise.
    const reader =
      config.chain?.kind === 'eigenlayer'
        ? new EigenLayerRegistryReader({ ...contracts, middleware: 'm2', fromBlock: config.fromBlock ?? 0 })
        : new AvsRegistryReader(contracts);
    let record: Awaited<ReturnType<AvsRegistryReader['getOperator']>>;
    try {
      record = await reader.getOperator(identity.address, blockNumber);
    } catch (cause) {
      throw new StartupCheckError(
        `contracts.operatorRegistry: reading operator ${identity.address} failed (${(cause as Error).message.split('\n')[0]}): is it the registry coordinator?`,
        { cause },
      );
    }
    if (record === null) {
      throw new StartupCheckError(
        `operator ${identity.address} is not registered in ${config.contracts.operatorRegistry}: register it (with its BLS key and endpoints) first`,
      );
    }
    if (record.operatorId.toLowerCase() !== identity.operatorId.toLowerCase()) {
      throw new StartupCheckError(
        `keys.blsKeystore: operator ${identity.address} is registered with operator id ${record.operatorId}, this BLS key is ${identity.operatorId}: use the registered BLS key`,
      );
    }
    const stakes: Record<string, string> = {};
    for (const [quorum, stake] of record.stakes) stakes[String(quorum)] = stake.toString();
    if (![...record.stakes.values()].some((stake) => stake > 0n)) {
      throw new StartupCheckError(
        `operator ${identity.address} has no stake in any quorum at block ${blockNumber}: delegate stake to it first`,
      );
    }
    return { chainId, blockNumber, stakes };
  } finally {
    provider.destroy();
  }
}
