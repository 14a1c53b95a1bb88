import { describe, expect, it } from 'vitest';
import { serveNode } from '../src/adapters/node.js';
import { runClusterScenario } from './runtimes/cluster-scenario.js';

describe('3-node RaftNode cluster over HTTP on Node', () => {
  it("elects, replicates, survives the leader's server stopping, and installs a chunked snapshot on the lagging node", async () => {
    const result = await runClusterScenario((fetch) => serveNode(fetch));
    expect(result.secondLeader).not.toBe(result.firstLeader);
    expect(result.entries).toBe(120);
    expect(result.restoredFromSnapshot).toBeGreaterThanOrEqual(1);
    expect(result.snapshotChunksSent).toBeGreaterThanOrEqual(2);
    expect(result.snapshotPartsReceived).toBeGreaterThan(result.snapshotChunksSent);
  }, 90_000);
});
