/**
 * EigenLayer's own contracts (the vendored incredible-squaring anvil state):
 * three operators register the way EigenLayer's tooling does, tasks are
 * created by the generator and answered through
 * `IncredibleSquaringTaskManager.respondToTask` (EigenLayer's BLSSignatureChecker),
 * with every operator signing and with one non-signer; the
 * NonSignerStakesAndSignature we build equals one assembled independently
 * from the registries' own views; deregistration takes an operator out of the
 * state; sockets are read from their update events.
 */
import { aggregatePublicKeysG2, aggregateSignatures, BlsKeyPair, g1ToSolidity, g2ToSolidity } from '@avs/bls';
import { BlsAggregationService } from '@avs/bls/aggregation';
import { type EigenLayerChain, startEigenLayerChain } from '@avs/contracts/local-chain';
import { AbiCoder, Contract, Interface, type JsonRpcProvider, keccak256, toUtf8Bytes, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EigenLayerOperatorClient,
  EigenLayerRegistryReader,
  eigenLayerOperatorStateRetrieverAbi,
  erc20MockAbi,
  IncredibleSquaringTaskManagerAdapter,
  incredibleSquaringTaskManagerAbi,
  m2AvsDirectoryAbi,
  m2BlsApkRegistryAbi,
  m2DelegationManagerAbi,
  m2RegistryCoordinatorAbi,
  m2StrategyManagerAbi,
  NON_SIGNER_STAKES_AND_SIGNATURE,
  quorumNumbersToBytes,
  type RegistryLogEvent,
  registryEvents,
  type SquaringResponse,
  squaringResponseDigest,
  TaskAlreadyRespondedError,
} from '../src/index.js';
import { createProvider } from '../src/provider.js';

let chain: EigenLayerChain;
let provider: JsonRpcProvider;
let reader: EigenLayerRegistryReader;
let tasks: IncredibleSquaringTaskManagerAdapter;
const operators: { wallet: Wallet; bls: BlsKeyPair; client: EigenLayerOperatorClient }[] = [];

beforeAll(async () => {
  chain = await startEigenLayerChain();
  provider = createProvider(chain.rpcUrl);
  const d = chain.eigenlayer;
  reader = new EigenLayerRegistryReader({
    provider,
    registryCoordinator: d.registryCoordinator,
    operatorStateRetriever: d.operatorStateRetriever,
    middleware: 'm2',
  });
  tasks = new IncredibleSquaringTaskManagerAdapter({
    provider,
    taskManager: d.taskManager,
    reader,
    signer: new Wallet(chain.aggregator.privateKey, provider),
    transactions: { receiptPollMs: 10 },
  });
  // Fresh keys, funded for gas, registered concurrently (each with its own nonce sequence).
  for (let i = 0; i < 3; i++) {
    const wallet = Wallet.createRandom(provider) as unknown as Wallet;
    await provider.send('anvil_setBalance', [wallet.address, '0x56BC75E2D63100000']);
    const client = new EigenLayerOperatorClient({ signer: wallet, contracts: d, receiptPollMs: 10 });
    operators.push({ wallet, bls: BlsKeyPair.fromSecretKey(BigInt(7_000 + i)), client });
  }
  await Promise.all(
    operators.map((op, i) =>
      op.client.registerOperator({
        blsKey: op.bls,
        quorumNumbers: [0],
        socket: `http://127.0.0.1:${9_100 + i}`,
        deposit: { strategy: d.erc20MockStrategy, token: d.erc20Mock, amount: 10n ** 18n, mint: true },
      }),
    ),
  );
}, 120_000);

afterAll(async () => {
  provider?.destroy();
  await chain?.stop();
});

/** Creates a task as the generator and aggregates the signatures of `signers`. */
async function runTask(n: bigint, signers: typeof operators, threshold = 60) {
  const created = await tasks.createTask({
    payload: n,
    quorumNumbers: [0],
    quorumThresholdPercentage: threshold,
  });
  const response: SquaringResponse = { referenceTaskIndex: created.taskIndex, numberSquared: String(n * n) };
  const digest = squaringResponseDigest(response);
  const service = new BlsAggregationService({ operatorState: reader });
  try {
    await service.initializeTask({
      taskIndex: created.taskIndex,
      referenceBlock: created.task.referenceBlockNumber,
      quorumNumbers: created.task.quorumNumbers,
      thresholdPercentages: [threshold],
      expiry: { afterMs: 60_000 },
    });
    for (const op of signers) {
      await service.processSignature({
        taskIndex: created.taskIndex,
        digest,
        signature: op.bls.sign(digest),
        operatorId: op.bls.operatorId,
      });
    }
    const result = await service.resultOf(created.taskIndex);
    if (result.status !== 'aggregated') throw new Error(`task ${created.taskIndex} expired`);
    return { created, response, aggregate: result };
  } finally {
    service.close();
  }
}

describe('EigenLayer M2 + incredible-squaring', () => {
  it('every function this package calls is in the deployed bytecode (proxies resolved)', async () => {
    const implSlot = `0x${(BigInt(keccak256(toUtf8Bytes('eip1967.proxy.implementation'))) - 1n).toString(16)}`;
    const codeOf = async (address: string) => {
      const impl = `0x${(await provider.getStorage(address, implSlot)).slice(26)}`;
      return BigInt(impl) === 0n ? provider.getCode(address) : provider.getCode(impl);
    };
    const d = chain.eigenlayer;
    const coordinator = new Contract(d.registryCoordinator, m2RegistryCoordinatorAbi, provider);
    const apk = await coordinator.getFunction('blsApkRegistry')();
    const checks: [string, readonly string[]][] = [
      [d.registryCoordinator, m2RegistryCoordinatorAbi],
      [apk, m2BlsApkRegistryAbi],
      [d.delegationManager, m2DelegationManagerAbi],
      [d.strategyManager, m2StrategyManagerAbi],
      [d.avsDirectory, m2AvsDirectoryAbi],
      [d.erc20Mock, erc20MockAbi],
      [d.taskManager, incredibleSquaringTaskManagerAbi],
      [d.operatorStateRetriever, eigenLayerOperatorStateRetrieverAbi],
    ];
    for (const [address, abi] of checks) {
      const code = (await codeOf(address)).toLowerCase();
      const iface = new Interface(abi);
      iface.forEachFunction((f) =>
        expect(code, `${f.format()} at ${address}`).toContain(f.selector.slice(2)),
      );
      iface.forEachEvent((e) => expect(code, `${e.format()} at ${address}`).toContain(e.topicHash.slice(2)));
    }
  });

  it('registers three operators through EigenLayer: keys, stakes and sockets read back', async () => {
    const block = await provider.getBlockNumber();
    const state = await reader.getOperatorState(block, [0]);
    expect(state.operators.map((o) => o.operatorId).sort()).toEqual(
      operators.map((o) => o.bls.operatorId).sort(),
    );
    expect(state.quorums[0]!.totalStake).toBe(3n * 10n ** 18n);
    const record = await reader.getOperator(operators[1]!.wallet.address);
    expect(record?.endpoints).toEqual({ raftUrl: 'http://127.0.0.1:9101', httpUrl: 'http://127.0.0.1:9101' });
    expect(record?.publicKeyG2.equals(operators[1]!.bls.publicKeyG2)).toBe(true);
  });

  it('verifies a response signed by every operator through respondToTask, exactly once', async () => {
    const { created, response, aggregate } = await runTask(7n, operators, 100);
    expect(aggregate.nonSignerOperatorIds).toEqual([]);
    const submitted = await tasks.submitResponse(created.task, response, aggregate);
    expect(await tasks.isResponded(created.taskIndex)).toBe(true);
    expect((await tasks.getResponse(created.taskIndex))?.transactionHash).toBe(submitted.transactionHash);
    await expect(tasks.submitResponse(created.task, response, aggregate)).rejects.toBeInstanceOf(
      TaskAlreadyRespondedError,
    );
  });

  it('verifies with a stopped operator as non-signer; the struct equals one built from the registry views', async () => {
    const signers = operators.slice(0, 2);
    const absent = operators[2]!;
    const { created, response, aggregate } = await runTask(12n, signers, 60);
    expect(aggregate.nonSignerOperatorIds).toEqual([absent.bls.operatorId]);
    const ours = await tasks.buildNonSignerStakesAndSignature(created.task, aggregate);

    // Independently: the retriever's indices, the BLSApkRegistry's keys and quorum APK, the raw signatures.
    const d = chain.eigenlayer;
    const retriever = new Contract(d.operatorStateRetriever, eigenLayerOperatorStateRetrieverAbi, provider);
    const block = created.task.referenceBlockNumber;
    const indices = await retriever.getFunction('getCheckSignaturesIndices')(
      d.registryCoordinator,
      block,
      quorumNumbersToBytes([0]),
      [absent.bls.operatorId],
    );
    const apkRegistry = new Contract(
      await new Contract(
        d.registryCoordinator,
        ['function blsApkRegistry() view returns (address)'],
        provider,
      ).getFunction('blsApkRegistry')(),
      [
        'function getRegisteredPubkey(address) view returns (tuple(uint256 X, uint256 Y), bytes32)',
        'function getApkHashAtBlockNumberAndIndex(uint8, uint32, uint256) view returns (bytes24)',
      ],
      provider,
    );
    const [absentKey] = await apkRegistry.getFunction('getRegisteredPubkey')(absent.wallet.address);
    const apkHash: string = await apkRegistry.getFunction('getApkHashAtBlockNumberAndIndex')(
      0,
      block,
      indices.quorumApkIndices[0],
    );
    // BN254.hashG1Point is keccak256(X ‖ Y); the registry keeps its first 24 bytes per APK update.
    const quorumApk = g1ToSolidity(aggregate.quorumApksG1[0]!);
    expect(
      keccak256(AbiCoder.defaultAbiCoder().encode(['uint256', 'uint256'], [quorumApk.X, quorumApk.Y])).slice(
        0,
        50,
      ),
    ).toBe(apkHash.toLowerCase());
    const digest = squaringResponseDigest(response);
    const expected = {
      nonSignerQuorumBitmapIndices: indices.nonSignerQuorumBitmapIndices.map(Number),
      nonSignerPubkeys: [{ X: absentKey.X, Y: absentKey.Y }],
      quorumApks: [quorumApk],
      apkG2: g2ToSolidity(aggregatePublicKeysG2(signers.map((s) => s.bls.publicKeyG2))),
      sigma: g1ToSolidity(aggregateSignatures(signers.map((s) => s.bls.sign(digest)))),
      quorumApkIndices: indices.quorumApkIndices.map(Number),
      totalStakeIndices: indices.totalStakeIndices.map(Number),
      nonSignerStakeIndices: indices.nonSignerStakeIndices.map((a: bigint[]) => a.map(Number)),
    };
    expect(ours).toEqual(expected);

    // EigenLayer's checker itself (a view on the task manager) accepts it and counts 2 of 3 stakes
    // (it wants the reference block in the past: one more block first).
    await provider.send('anvil_mine', ['0x1']);
    const checker = new Contract(
      d.taskManager,
      ([...incredibleSquaringTaskManagerAbi] as string[]).concat([
        `function checkSignatures(bytes32, bytes, uint32, ${NON_SIGNER_STAKES_AND_SIGNATURE}) view returns (tuple(uint96[] signedStakeForQuorum, uint96[] totalStakeForQuorum), bytes32)`,
      ]),
      provider,
    );
    const [totals] = await checker.getFunction('checkSignatures')(
      digest,
      quorumNumbersToBytes([0]),
      block,
      ours,
    );
    expect(totals.signedStakeForQuorum.map(BigInt)).toEqual([2n * 10n ** 18n]);
    expect(totals.totalStakeForQuorum.map(BigInt)).toEqual([3n * 10n ** 18n]);

    await tasks.submitResponse(created.task, response, aggregate);
    expect(await tasks.isResponded(created.taskIndex)).toBe(true);
  });

  it('a deregistered operator leaves the operator state; a new socket is read from its event', async () => {
    const leaving = operators[2]!;
    const seen: RegistryLogEvent[] = [];
    const stop = registryEvents({
      provider,
      registry: chain.eigenlayer.registryCoordinator,
      pollIntervalMs: 50,
    }).watch((e) => seen.push(e));
    await operators[0]!.client.updateSocket('http://127.0.0.1:9200 http://127.0.0.1:9201');
    await leaving.client.deregisterOperator([0]);
    const block = await provider.getBlockNumber();
    expect(await reader.isRegisteredOperator(leaving.wallet.address, block)).toBe(false);
    const state = await reader.getOperatorState(block, [0]);
    expect(state.operators.map((o) => o.operatorId)).not.toContain(leaving.bls.operatorId);
    expect((await reader.getOperator(operators[0]!.wallet.address, block))?.endpoints).toEqual({
      raftUrl: 'http://127.0.0.1:9200',
      httpUrl: 'http://127.0.0.1:9201',
    });
    // The registry's event source sees both, from EigenLayer's own events.
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    stop();
    expect(seen).toEqual([
      { kind: 'endpoints-changed', operatorId: operators[0]!.bls.operatorId },
      {
        kind: 'deregistered',
        address: leaving.wallet.address.toLowerCase(),
        operatorId: leaving.bls.operatorId,
      },
    ]);
  });
});
