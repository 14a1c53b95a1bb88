import { parseArgs } from 'node:util';
import { startLocalAvs } from './local-avs.js';

/**
 * `avs-local-chain [--port N] [--accounts N] [--block-time S] [--quorums N] [--window BLOCKS]`:
 * starts anvil on 127.0.0.1, deploys the AVS, prints one JSON line with the RPC URL, chain id,
 * accounts and contract addresses, and runs until SIGINT/SIGTERM (anvil stops with it).
 */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      accounts: { type: 'string', default: '10' },
      'block-time': { type: 'string' },
      quorums: { type: 'string', default: '1' },
      window: { type: 'string', default: '100' },
    },
  });
  const avs = await startLocalAvs({
    port: Number(values.port),
    accounts: Number(values.accounts),
    quorumCount: Number(values.quorums),
    taskResponseWindowBlocks: Number(values.window),
    ...(values['block-time'] ? { blockTime: Number(values['block-time']) } : {}),
  });
  const { deployment } = avs;
  process.stdout.write(
    `${JSON.stringify({
      rpcUrl: avs.rpcUrl,
      chainId: avs.chainId,
      accounts: avs.accounts,
      operatorRegistry: deployment.operatorRegistry,
      operatorStateRetriever: deployment.operatorStateRetriever,
      taskManager: deployment.taskManager,
      deployBlock: deployment.deployBlock,
    })}\n`,
  );
  const shutdown = () => {
    avs.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
