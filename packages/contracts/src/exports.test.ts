import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import * as localChain from './local-chain-entry.js';

describe('@avs/contracts public exports', () => {
  it('are exactly these (change deliberately)', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "ContractsError",
        "DeploymentError",
        "InvalidOptionsError",
        "artifacts",
        "deployAvs",
        "operatorRegistryAbi",
        "operatorRegistryBytecode",
        "operatorStateRetrieverAbi",
        "operatorStateRetrieverBytecode",
        "solcVersion",
        "taskManagerAbi",
        "taskManagerBytecode",
      ]
    `);
    expect(Object.keys(localChain).sort()).toMatchInlineSnapshot(`
      [
        "AnvilNotFoundError",
        "AnvilStartError",
        "EIGENLAYER_FIXTURE_DIR",
        "LOCAL_CHAIN_MNEMONIC",
        "anvilBinaryPath",
        "eigenLayerFixture",
        "startEigenLayerChain",
        "startLocalAvs",
        "startLocalChain",
      ]
    `);
  });
});
