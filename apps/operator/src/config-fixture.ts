/** The smallest valid operator config (local anvil addresses), for tests that write config files. */
export const minimalConfig = {
  rpcUrl: 'http://127.0.0.1:8545',
  chainId: 31337,
  contracts: {
    operatorRegistry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    operatorStateRetriever: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    taskManager: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
  },
  keys: { ecdsaKeystore: 'keys/ecdsa.keystore.json', blsKeystore: 'keys/bls.keystore.json' },
  server: { port: 9001 },
} as const;
