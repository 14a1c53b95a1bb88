/**
 * Issue #17 item 8, in memory: a node configured to bootstrap asks the registered operators
 * whether a cluster exists and does not found a second one. Before this check two bootstrappers
 * each founded a one-member cluster and both led.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterExistsError } from '../src/index.js';
import { Cluster, type Operator } from './support/cluster.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** Starts the given operators' bootstraps in the same turn and settles them all. */
async function bootstrapAtOnce(c: Cluster, ops: readonly Operator[]) {
  const all = Promise.allSettled(ops.map((op) => op.engine.initializeRaftRpcServer(true)));
  return c.drive(all, 'bootstraps');
}

const lowest = (ops: readonly Operator[]) => [...ops].sort((a, b) => (a.address < b.address ? -1 : 1))[0]!;

describe('one cluster', () => {
  it.each([
    ['two, in registration order', 2, [0, 1]],
    ['two, reversed', 2, [1, 0]],
    ['three', 3, [2, 0, 1]],
  ])(
    'bootstrappers started at once make one cluster (%s): the lowest address founds',
    async (_, size, order) => {
      const c = new Cluster({ size: size as number });
      cluster = c;
      const ops = (order as number[]).map((i) => c.operators[i]!);
      const results = await bootstrapAtOnce(c, ops);
      const founder = lowest(ops);
      for (const [i, r] of results.entries()) {
        const op = ops[i]!;
        if (op === founder) {
          expect(r.status).toBe('fulfilled');
          continue;
        }
        expect(r.status).toBe('rejected');
        const error = (r as PromiseRejectedResult).reason as ClusterExistsError;
        expect(error).toBeInstanceOf(ClusterExistsError);
        expect(error.code).toBe('CLUSTER_EXISTS');
        expect(error.clusterId).toBe('test-cluster');
        expect(error.message).toContain('test-cluster');
        expect(error.foundNode).not.toBe(op.address);
        expect(op.engine.status().started).toBe(false);
      }
      await c.waitFor(() => founder.engine.status().role === 'leader', 'the founder to lead');
      // The refused ones join the one cluster.
      for (const op of ops.filter((o) => o !== founder)) {
        const joined = await c.drive(
          op.engine.joinExistingOperatorCluster(founder.engine.config.httpUrl),
          `join of ${op.index}`,
        );
        expect(joined.role).toBe('voter');
      }
      await c.waitFor(() => founder.engine.status().voters.length === ops.length, 'every node a voter');
      expect(c.running().filter((o) => o.engine.status().role === 'leader')).toHaveLength(1);
    },
  );

  it('a bootstrapper refuses when a cluster exists, naming it; a restarting founder still starts', async () => {
    const c = new Cluster({ size: 3, started: 2 });
    cluster = c;
    await c.start();
    const late = c.operators[2]!;
    const refusal = await c.drive(
      late.engine.initializeRaftRpcServer(true).then(
        () => undefined,
        (e: unknown) => e,
      ),
      'late bootstrap',
    );
    expect(refusal).toBeInstanceOf(ClusterExistsError);
    const error = refusal as ClusterExistsError;
    expect(error.state).toBe('member');
    expect(error.clusterId).toBe('test-cluster');
    expect(error.foundNode).toBe(c.operators[0]!.address.toLowerCase());
    expect(error.message).toMatch(/cluster 'test-cluster' exists/);
    expect(late.engine.status().started).toBe(false);
    expect(late.storage.lastIndex()).toBe(0);

    // The founder restarts with its bootstrap flag still set: the others know it as a member.
    const founder = c.operators[0]!;
    await c.kill(founder);
    c.net.heal();
    founder.engine = c.makeEngine(founder);
    await c.drive(founder.engine.initializeRaftRpcServer(true), 'founder restart');
    await c.waitFor(() => c.leader() !== undefined, 'a leader after the restart');
    expect(founder.engine.status().voters).toHaveLength(2);
  });
});
