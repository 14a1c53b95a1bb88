/**
 * Voters and learners over real HTTP on 127.0.0.1 with durable file storage and real time: learners
 * sign tasks that need their stake, and a cluster that lost two of its three voters is rebuilt
 * from the survivor's file storage with forceNewCluster.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorage } from '@avs/storage-file';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forceNewCluster, InMemoryChain, type OperatorRaftConfig } from '../src/index.js';
import { type HttpNode, startHttpNode, stopHttpNode } from './support/http-node.js';
import { poll } from './support/poll.js';

interface Node extends HttpNode {
  readonly i: number;
}

let chain: InMemoryChain;
let nodes: Node[] = [];
let dir = '';

beforeEach(async () => {
  chain = new InMemoryChain();
  nodes = [];
  dir = await mkdtemp(join(tmpdir(), 'engine-voters-http-'));
});

afterEach(async () => {
  for (const n of nodes) await stopHttpNode(n);
  await rm(dir, { recursive: true, force: true });
});

/** Serves node `i` (registered on first start) over the file storage in `data` (a new name: fresh storage). */
async function start(
  i: number,
  config: Partial<OperatorRaftConfig>,
  data = `node-${i}`,
  port?: number,
): Promise<Node> {
  const node = await startHttpNode({
    chain,
    ecdsaIndex: 200 + i,
    blsSecret: 7_000 + i,
    domainClusterId: `0x${'cd'.repeat(32)}`,
    clusterId: 'voters-http',
    storageDir: join(dir, data),
    ...(port === undefined ? {} : { port }),
    config: { promoteTimeoutMs: 10_000, autopilotIntervalMs: 100, ...config },
  });
  const n = { ...node, i };
  nodes = [...nodes.filter((o) => o.i !== i), n];
  return n;
}

const leaderOf = () => nodes.find((n) => !n.engine.status().closed && n.engine.status().role === 'leader');

async function task(n: number, threshold: number): Promise<number> {
  const t = chain.createTask({ thresholdPercentages: [threshold] });
  await leaderOf()!.engine.leaderSendTaskRequestToFollowers({ numberToBeSquared: n }, [t]);
  await poll(() => chain.response(t.taskIndex) !== undefined, `task ${t.taskIndex} on-chain`);
  return t.taskIndex;
}

describe('voters and learners over HTTP', () => {
  it('maxVoters 1: one voter, two learners whose signatures complete a task that needs all three', async () => {
    const config = { maxVoters: 1 };
    const founder = await start(0, config);
    await founder.engine.initializeRaftRpcServer(true);
    await poll(() => founder.engine.status().members.includes(founder.address), 'founder recorded');
    for (const i of [1, 2]) {
      const joiner = await start(i, config);
      expect((await joiner.engine.joinExistingOperatorCluster(founder.url)).role).toBe('learner');
    }
    await poll(
      () => nodes.every((n) => n.engine.status().learners.length === 2),
      'every node sees two learners',
    );
    expect(founder.engine.status().voters).toEqual([founder.address]);
    // 67% of 300 needs all three signatures.
    const index = await task(7, 67);
    expect(founder.engine.task(index)?.aggregate?.signers).toHaveLength(3);
  }, 90_000);

  it('3 voters on file storage, 2 lost for good: force-new-cluster on the survivor, fresh operators join, tasks flow', async () => {
    const founder = await start(0, {});
    await founder.engine.initializeRaftRpcServer(true);
    await poll(() => founder.engine.status().members.includes(founder.address), 'founder recorded');
    for (const i of [1, 2]) {
      const joiner = await start(i, {});
      expect((await joiner.engine.joinExistingOperatorCluster(founder.url)).role).toBe('voter');
    }
    const before = await task(3, 60);
    const [survivor, ...lost] = nodes as [Node, Node, Node];
    for (const n of lost) await stopHttpNode(n);
    await stopHttpNode(survivor);

    const reopened = await FileStorage.open({ dir: join(dir, 'node-0') });
    const result = await forceNewCluster({ storage: reopened, id: survivor.address });
    await reopened.close();
    expect(result.confState.voters).toEqual([survivor.address]);

    const recovered = await start(0, {}, 'node-0', survivor.port);
    await recovered.engine.initializeRaftRpcServer(false);
    await poll(() => recovered.engine.status().role === 'leader', 'the survivor leads alone');
    // Kept from the committed state; a task whose 'submitted' entry was not committed yet is finished
    // by the new leader from the chain, as after any failover.
    expect(recovered.engine.task(before)).toBeDefined();
    await poll(
      () => recovered.engine.task(before)?.status === 'submitted',
      'the earlier task recorded as submitted',
    );
    expect(chain.duplicateSubmissions).toBe(0);
    for (const n of lost) {
      // Same registered endpoints, fresh storage.
      const back = await start(n.i, {}, `node-${n.i}-fresh`, n.port);
      expect((await back.engine.joinExistingOperatorCluster(recovered.url)).role).toBe('voter');
    }
    expect(recovered.engine.status().voters).toHaveLength(3);
    await task(4, 60);
  }, 90_000);
});
