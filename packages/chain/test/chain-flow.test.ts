import { BlsAggregationService } from '@avs/bls/aggregation';
import { operatorRegistryAbi, taskManagerAbi } from '@avs/contracts';
import { Contract, type InterfaceAbi, keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContractRevertError,
  type CreatedTask,
  connectAvs,
  EigenLayerRegistryReader,
  InvalidArgumentError,
  OperatorRegistryClient,
  pubkeyRegistrationDigest,
  type RespondedTask,
  SubmissionInProgressError,
  TaskAlreadyRespondedError,
  TaskManagerClient,
  TaskNotFoundError,
  taskHash,
  taskResponseDigest,
} from '../src/index.js';
import { type AvsNetwork, aggregateFor, startAvsNetwork, type TestOperator } from './support/avs-network.js';

let net: AvsNetwork;

beforeAll(async () => {
  net = await startAvsNetwork({ count: 4, stake: 100n, quorumCount: 2 });
});

afterAll(async () => {
  await net?.close();
});

/** Runs @avs/bls's aggregation service over the reader for one task and the given signers. */
async function aggregateWithService(created: CreatedTask, digest: `0x${string}`, signers: TestOperator[]) {
  const service = new BlsAggregationService({ operatorState: net.reader });
  try {
    await service.initializeTask({
      taskIndex: created.taskIndex,
      referenceBlock: created.task.referenceBlockNumber,
      quorumNumbers: created.task.quorumNumbers,
      thresholdPercentages: created.task.quorumNumbers.map(() => created.task.quorumThresholdPercentage),
      expiry: { afterMs: 20_000 },
    });
    for (const op of signers) {
      await service.processSignature({
        taskIndex: created.taskIndex,
        digest,
        signature: op.key.sign(digest),
        operatorId: op.key.operatorId,
      });
    }
    return await service.resultOf(created.taskIndex);
  } finally {
    service.close();
  }
}

function payload(text: string): string {
  return keccak256(toUtf8Bytes(text));
}

describe('registry readers', () => {
  it('read operators, stakes, keys and endpoints at a block (ours)', async () => {
    const block = await net.reader.getBlockNumber();
    const state = await net.reader.getOperatorState(block, [0]);
    expect(state.quorums).toEqual([{ quorumNumber: 0, totalStake: 400n }]);
    expect(state.operators.map((o) => o.operatorId).sort()).toEqual(
      net.operators.map((o) => o.key.operatorId).sort(),
    );
    const first = net.operators[0]!;
    const record = await net.reader.getOperator(first.wallet.address, block);
    expect(record?.operatorId).toBe(first.key.operatorId);
    expect(record?.publicKeyG2.equals(first.key.publicKeyG2)).toBe(true);
    expect(record?.stakes.get(0)).toBe(100n);
    expect(record?.endpoints).toEqual({
      raftUrl: 'http://127.0.0.1:20001',
      httpUrl: 'http://127.0.0.1:30001',
    });
    expect(await net.reader.getOperatorById(first.key.operatorId, block)).toMatchObject({
      address: first.wallet.address,
    });
    expect(await net.reader.isRegisteredOperator(net.owner.address)).toBe(false);
    // Before any registration the operator did not exist.
    expect(await net.reader.getOperator(first.wallet.address, net.avs.deployment.deployBlock)).toBeNull();
  });

  it('the EigenLayer reader, pointed at our contracts (same ABI shapes), reads the same state', async () => {
    const el = new EigenLayerRegistryReader({
      provider: net.provider,
      registryCoordinator: net.avs.deployment.operatorRegistry,
      operatorStateRetriever: net.avs.deployment.operatorStateRetriever,
    });
    const block = await net.reader.getBlockNumber();
    const ours = await net.reader.getOperatorState(block, [0]);
    const theirs = await el.getOperatorState(block, [0]);
    expect(theirs.quorums).toEqual(ours.quorums);
    expect(theirs.operators.map((o) => [o.operatorId, o.stakes.get(0)])).toEqual(
      ours.operators.map((o) => [o.operatorId, o.stakes.get(0)]),
    );
    const second = net.operators[1]!;
    const record = await el.getOperator(second.wallet.address);
    expect(record?.endpoints).toEqual({
      raftUrl: 'http://127.0.0.1:20002',
      httpUrl: 'http://127.0.0.1:30002',
    });
    expect(record?.publicKeyG1.equals(second.key.publicKeyG1)).toBe(true);
  });

  it('computes the proof-of-possession digest exactly as the registry', async () => {
    const registry = new Contract(
      net.avs.deployment.operatorRegistry,
      operatorRegistryAbi as InterfaceAbi,
      net.provider,
    );
    const who = net.operators[2]!.wallet.address;
    expect(await registry.getFunction('pubkeyRegistrationDigest')(who)).toBe(
      pubkeyRegistrationDigest(net.avs.deployment.chainId, net.avs.deployment.operatorRegistry, who),
    );
  });

  it('shows a deregistered operator at past blocks only, and frees its endpoints', async () => {
    const extraWallet = new Wallet(net.avs.accounts[5]!.privateKey, net.provider);
    const { BlsKeyPair } = await import('@avs/bls');
    const key = BlsKeyPair.fromSecretKey(777n);
    const client = new OperatorRegistryClient({
      registry: net.avs.deployment.operatorRegistry,
      signer: extraWallet,
    });
    // Endpoint already held by operator 1 (normalised form matches): refused.
    await expect(
      client.registerOperator({
        keyPair: key,
        quorumNumbers: [0],
        endpoints: { raftUrl: 'HTTP://127.0.0.1:20001/', httpUrl: 'http://127.0.0.1:39999' },
        chainId: net.avs.deployment.chainId,
      }),
    ).rejects.toMatchObject({ name: 'ContractRevertError', errorName: 'EndpointTaken' });
    const receipt = await client.registerOperator({
      keyPair: key,
      quorumNumbers: [0],
      endpoints: { raftUrl: 'http://127.0.0.1:29999', httpUrl: 'http://127.0.0.1:39999' },
      chainId: net.avs.deployment.chainId,
    });
    const registeredAt = receipt.blockNumber;
    await client.deregisterOperator([0]);
    expect(await net.reader.isRegisteredOperator(extraWallet.address)).toBe(false);
    const past = await net.reader.getOperator(extraWallet.address, registeredAt);
    expect(past?.endpoints?.raftUrl).toBe('http://127.0.0.1:29999');
    const pastState = await net.reader.getOperatorState(registeredAt, [0]);
    expect(pastState.operators.map((o) => o.operatorId)).toContain(key.operatorId);
  });
});

describe('TaskManagerClient', () => {
  it('creates a task, watches it, aggregates with @avs/bls and submits exactly once', async () => {
    const seen: CreatedTask[] = [];
    const answered: RespondedTask[] = [];
    const stopTasks = net.tasks.watchTasks((t) => seen.push(t), { pollIntervalMs: 50 });
    const stopResponses = net.tasks.watchResponses((r) => answered.push(r), { pollIntervalMs: 50 });
    try {
      const created = await net.tasks.createTask({
        payloadHash: payload('square 7'),
        quorumNumbers: [0],
        quorumThresholdPercentage: 67,
      });
      expect(created.task.referenceBlockNumber).toBe(created.blockNumber - 1);
      const tm = new Contract(net.tasks.address, taskManagerAbi as InterfaceAbi, net.provider);
      expect(await tm.getFunction('allTaskHashes')(created.taskIndex)).toBe(taskHash(created.task));
      expect((await net.tasks.getTask(created.taskIndex)).task).toEqual(created.task);

      const response = { referenceTaskIndex: created.taskIndex, result: '0x31' };
      const digest = taskResponseDigest(response);
      expect(await tm.getFunction('taskResponseDigest')(response)).toBe(digest);

      // Three of four operators sign (75% >= 67%).
      const result = await aggregateWithService(created, digest, net.operators.slice(0, 3));
      if (result.status !== 'aggregated') throw new Error(`aggregation ${result.status}`);
      expect(result.nonSignerOperatorIds).toEqual([net.operators[3]!.key.operatorId]);

      const [first, concurrent] = await Promise.allSettled([
        net.tasks.submitResponse(created.task, response, result),
        net.tasks.submitResponse(created.task, response, result),
      ]);
      expect(first.status).toBe('fulfilled');
      expect(concurrent.status === 'rejected' && concurrent.reason).toBeInstanceOf(SubmissionInProgressError);
      expect(await net.tasks.isResponded(created.taskIndex)).toBe(true);
      const onChain = await net.tasks.getResponse(created.taskIndex);
      expect(onChain?.response).toEqual(response);
      expect(onChain?.transactionHash).toBe(first.status === 'fulfilled' ? first.value.transactionHash : '');
      await expect(net.tasks.submitResponse(created.task, response, result)).rejects.toBeInstanceOf(
        TaskAlreadyRespondedError,
      );
      // A second client (another process) is refused too, before sending anything.
      const other = new (net.tasks.constructor as typeof import('../src/index.js').TaskManagerClient)({
        provider: net.provider,
        taskManager: net.tasks.address,
        reader: net.reader,
        signer: new Wallet(net.avs.accounts[1]!.privateKey, net.provider),
      });
      await expect(other.submitResponse(created.task, response, result)).rejects.toBeInstanceOf(
        TaskAlreadyRespondedError,
      );

      for (let i = 0; i < 100 && (seen.length === 0 || answered.length === 0); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen.map((t) => t.taskIndex)).toContain(created.taskIndex);
      expect(answered.find((r) => r.taskIndex === created.taskIndex)?.response).toEqual(response);
    } finally {
      stopTasks();
      stopResponses();
    }
  });

  it('refuses a mismatched aggregate locally and a below-threshold one by simulation, without burning a nonce', async () => {
    const created = await net.tasks.createTask({
      payloadHash: payload('below'),
      quorumNumbers: [0],
      quorumThresholdPercentage: 67,
    });
    const response = { referenceTaskIndex: created.taskIndex, result: '0x01' };
    const digest = taskResponseDigest(response);
    const half = await aggregateFor(net, created.taskIndex, created.task, digest, [
      net.operators[0]!.key,
      net.operators[1]!.key,
    ]);
    await expect(
      net.tasks.submitResponse(created.task, { ...response, result: '0x02' }, half),
    ).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    expect(await net.tasks.getResponse(created.taskIndex)).toBeUndefined();
    const nonceBefore = await net.provider.getTransactionCount(net.owner.address, 'pending');
    const error = await net.tasks.submitResponse(created.task, response, half).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractRevertError);
    expect((error as ContractRevertError).errorName).toBe('QuorumThresholdNotMet');
    expect(await net.provider.getTransactionCount(net.owner.address, 'pending')).toBe(nonceBefore);
    // The same client then sends a valid response with the next nonce.
    const full = await aggregateFor(
      net,
      created.taskIndex,
      created.task,
      digest,
      net.operators.map((o) => o.key),
    );
    const submitted = await net.tasks.submitResponse(created.task, response, full);
    expect(submitted.gasUsed).toBeGreaterThan(0n);
  });

  it('accepts a two-quorum task aggregated by @avs/bls (operators in both quorums count twice)', async () => {
    // Operators 0 and 1 also join quorum 1 (stake 50 each).
    await net.ownerRegistry.setOperatorStakes(
      1,
      new Map(net.operators.slice(0, 2).map((o) => [o.wallet.address, 50n])),
    );
    for (const [i, op] of net.operators.slice(0, 2).entries()) {
      await op.registry.registerOperator({
        keyPair: op.key,
        quorumNumbers: [1],
        endpoints: { raftUrl: `http://127.0.0.1:${20001 + i}`, httpUrl: `http://127.0.0.1:${30001 + i}` },
        chainId: net.avs.deployment.chainId,
      });
    }
    const created = await net.tasks.createTask({
      payloadHash: payload('two quorums'),
      quorumNumbers: [0, 1],
      quorumThresholdPercentage: 50,
    });
    const response = { referenceTaskIndex: created.taskIndex, result: '0x0102' };
    const digest = taskResponseDigest(response);
    // Operator 0 (both quorums) and operator 2 (quorum 0): 200/400 in quorum 0, 50/100 in quorum 1.
    const result = await aggregateWithService(created, digest, [net.operators[0]!, net.operators[2]!]);
    if (result.status !== 'aggregated') throw new Error(`aggregation ${result.status}`);
    expect(result.signedStakePerQuorum).toEqual([200n, 50n]);
    const submitted = await net.tasks.submitResponse(created.task, response, result);
    expect(submitted.gasUsed).toBeGreaterThan(0n);
    expect(await net.tasks.isResponded(created.taskIndex)).toBe(true);
  });

  it('maps a tampered signature to ContractRevertError(InvalidSignature)', async () => {
    const created = await net.tasks.createTask({
      payloadHash: payload('tampered'),
      quorumNumbers: [0],
      quorumThresholdPercentage: 50,
    });
    const response = { referenceTaskIndex: created.taskIndex, result: '0x' };
    const digest = taskResponseDigest(response);
    const good = await aggregateFor(
      net,
      created.taskIndex,
      created.task,
      digest,
      net.operators.map((o) => o.key),
    );
    const tampered = { ...good, signersAggSigG1: good.signersAggSigG1.double() };
    await expect(net.tasks.submitResponse(created.task, response, tampered)).rejects.toMatchObject({
      errorName: 'InvalidSignature',
    });
  });
});

describe('TaskManagerClient: batches and task lookups', () => {
  it('creates a batch in one transaction; a reader finds every task with incremental scans', async () => {
    const hashes = ['batch 1', 'batch 2', 'batch 3'].map(payload);
    const created = await net.tasks.createTasks({
      payloadHashes: hashes,
      quorumNumbers: [0],
      quorumThresholdPercentage: 67,
    });
    expect(created.map((c) => c.task.payloadHash)).toEqual(hashes);
    expect(created.map((c) => c.taskIndex)).toEqual([0, 1, 2].map((i) => created[0]!.taskIndex + i));
    expect(new Set(created.map((c) => c.transactionHash)).size).toBe(1);
    expect(created[0]!.task.referenceBlockNumber).toBe(created[0]!.blockNumber - 1);
    await expect(
      net.tasks.createTasks({ payloadHashes: [], quorumNumbers: [0], quorumThresholdPercentage: 67 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);

    // A client without a signer that never saw them (as a follower checking a request).
    const reader = new TaskManagerClient({
      provider: net.provider,
      taskManager: net.tasks.address,
      reader: net.reader,
    });
    const found = await Promise.all(created.map((c) => reader.getTask(c.taskIndex)));
    expect(found).toEqual(created);
    // A task mined after the first scan is found by the next one.
    const later = await net.tasks.createTask({
      payloadHash: payload('after the scan'),
      quorumNumbers: [0],
      quorumThresholdPercentage: 67,
    });
    expect(await reader.getTask(later.taskIndex)).toEqual(later);
    await expect(reader.getTask(later.taskIndex + 100)).rejects.toBeInstanceOf(TaskNotFoundError);
    // A client whose scans start later still finds a task before that start.
    const late = new TaskManagerClient({
      provider: net.provider,
      taskManager: net.tasks.address,
      reader: net.reader,
    });
    expect(await late.getTask(later.taskIndex, later.blockNumber)).toEqual(later);
    expect(await late.getTask(created[1]!.taskIndex, 0)).toEqual(created[1]);
  });
});

describe('transactions of one signer', () => {
  it('gives concurrent sends consecutive nonces and mines each once', async () => {
    const before = await net.provider.getTransactionCount(net.owner.address, 'latest');
    const created = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        net.tasks.createTask({
          payloadHash: payload(`concurrent ${i}`),
          quorumNumbers: [0],
          quorumThresholdPercentage: 50,
        }),
      ),
    );
    expect(new Set(created.map((c) => c.taskIndex)).size).toBe(6);
    const nonces = await Promise.all(
      created.map(async (c) => (await net.provider.getTransaction(c.transactionHash))!.nonce),
    );
    expect(nonces.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5].map((i) => before + i));
  });

  it('two senders of one account (a shared aggregator key) both get their transactions mined', async () => {
    // A second client with its own TransactionSender for the same key: each takes nonces from its own
    // counter, so one of them meets a nonce the other used and must take a fresh one.
    const other = connectAvs({
      provider: net.provider,
      contracts: net.avs.deployment,
      signer: new Wallet(net.owner.privateKey, net.provider),
      transactions: { receiptPollMs: 10 },
    }).taskManager;
    await net.tasks.createTask({
      payloadHash: payload('warm a'),
      quorumNumbers: [0],
      quorumThresholdPercentage: 50,
    });
    await other.createTask({
      payloadHash: payload('warm b'),
      quorumNumbers: [0],
      quorumThresholdPercentage: 50,
    });
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? net.tasks : other).createTask({
          payloadHash: payload(`shared ${i}`),
          quorumNumbers: [0],
          quorumThresholdPercentage: 50,
        }),
      ),
    );
    expect(new Set(created.map((c) => c.taskIndex)).size).toBe(8);
  });
});
