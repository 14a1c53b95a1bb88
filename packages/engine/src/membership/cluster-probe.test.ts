import { describe, expect, it } from 'vitest';
import { ClusterExistsError, PeerCallError } from '../errors.js';
import type { EngineTransport } from '../ports/engine-transport.js';
import { BootstrapGuard, type ClusterProbeAnswer } from './cluster-probe.js';

const A = `0x${'a'.repeat(40)}`;
const B = `0x${'b'.repeat(40)}`;
const none = { member: false, leaderId: '', isMember: () => false };

/** A transport whose probes answer with `answer(url)` (or fail when it throws). */
function transportOf(answer: (url: string) => Promise<ClusterProbeAnswer>): EngineTransport {
  return { client: { probeCluster: (url: string) => answer(url) } } as unknown as EngineTransport;
}

describe('BootstrapGuard', () => {
  it('defers to a lower bootstrapper it only heard from (its own probe did not reach it)', async () => {
    const b = new BootstrapGuard(B, 'c');
    let answered: ClusterProbeAnswer | undefined;
    const deciding = b.decide(
      transportOf(async () => {
        // While B probes, A's probe reaches B; B's own probe of A fails.
        answered = b.answer(A, none);
        throw new PeerCallError(A, 'UNREACHABLE', 'down');
      }),
      [{ id: A, httpUrl: 'mem://a' }],
      100,
    );
    await expect(deciding).rejects.toThrow(ClusterExistsError);
    expect(answered?.state).toBe('probing');
    await deciding.catch((e: ClusterExistsError) => expect(e.foundNode).toBe(A));
  });

  it('a decided founder answers founding, so a later lower prober refuses', async () => {
    const b = new BootstrapGuard(B, 'c');
    await b.decide(
      transportOf(() => Promise.reject(new Error('down'))),
      [{ id: A, httpUrl: 'x' }],
      100,
    );
    const answer = b.answer(A, none);
    expect(answer.state).toBe('founding');
    const a = new BootstrapGuard(A, 'c');
    await expect(
      a.decide(
        transportOf(async () => answer),
        [{ id: B, httpUrl: 'x' }],
        100,
      ),
    ).rejects.toMatchObject({
      code: 'CLUSTER_EXISTS',
      state: 'founding',
      foundNode: B,
    });
  });

  it('a higher bootstrapper probing does not stop a lower one', async () => {
    const a = new BootstrapGuard(A, 'c');
    const probing: ClusterProbeAnswer = {
      id: B,
      clusterId: 'c',
      state: 'probing',
      leaderId: '',
      includesAsker: false,
    };
    await a.decide(
      transportOf(async () => probing),
      [{ id: B, httpUrl: 'x' }],
      100,
    );
    expect(a.answer(B, none).state).toBe('founding');
  });
});
