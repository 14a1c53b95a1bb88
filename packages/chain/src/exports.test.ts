import { describe, expect, it } from 'vitest';
import * as api from './index.js';

describe('@avs/chain public exports', () => {
  it('are exactly these (change deliberately)', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "AvsRegistryReader",
        "ChainError",
        "ContractRevertError",
        "EigenLayerRegistryReader",
        "InvalidArgumentError",
        "InvalidChainDataError",
        "InvalidOperatorMessageError",
        "JOIN_REQUEST_TYPES",
        "OperatorRegistryClient",
        "PUBKEY_REGISTRATION_DOMAIN",
        "RpcUnavailableError",
        "SubmissionInProgressError",
        "TRANSPORT_AUTH_TYPES",
        "TaskAlreadyRespondedError",
        "TaskManagerClient",
        "TaskNotFoundError",
        "TransactionSender",
        "blsApkRegistryAbi",
        "checkBlockNumber",
        "createProvider",
        "decodeRevert",
        "eigenLayerOperatorStateRetrieverAbi",
        "isTransientRpcError",
        "normalizeEndpoints",
        "operatorEndpointsSchema",
        "operatorMessageDomain",
        "parseSocket",
        "pubkeyRegistrationDigest",
        "quorumNumbersFromBytes",
        "quorumNumbersToBytes",
        "registryCoordinatorAbi",
        "signJoinRequest",
        "signTransportAuth",
        "signedJoinRequestSchema",
        "signedTransportAuthSchema",
        "socketRegistryAbi",
        "taskFromStruct",
        "taskHash",
        "taskResponseDigest",
        "taskResponseSchema",
        "taskSchema",
        "taskToStruct",
        "verifyJoinRequest",
        "verifyTransportAuth",
        "withRetry",
      ]
    `);
  });
});
