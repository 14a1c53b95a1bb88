/**
 * The join answer comes back over an unauthenticated call: the joiner accepts
 * it only when it is signed, bound to its own request, by a registered
 * operator among the members it names. A forged, altered or replayed answer
 * grants nothing: the join is refused (`JOIN_ANSWER_UNAUTHENTICATED`) and no
 * identity from it may talk to the joiner. A genuine answer from a member that
 * names an extra identity grants it nothing beyond the joiner's first applied
 * configuration: from then on it is neither allowed nor dialled.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type EngineTransport,
  type JoinResult,
  memoryUrl,
  randomNonce,
  type SignedJoinRequest,
} from '../src/index.js';
import { Cluster, type Operator } from './support/cluster.js';
import { addressOfKey, randomKey, testJoinAuth } from './support/test-keys.js';

let cluster: Cluster | undefined;
afterEach(async () => {
  await cluster?.close();
  cluster = undefined;
});

/** What the attacker does with the joiner's request: `base` reaches the real cluster. */
type Attack = (
  base: EngineTransport,
  httpUrl: string,
  body: SignedJoinRequest,
  timeoutMs: number,
) => Promise<JoinResult>;

/**
 * A cluster whose operator 1 joins through an attacker on its path; `dialled` follows the peers its
 * transport is told to dial (`setPeer` adds, `removePeer` deletes).
 */
function clusterWithAttacker(attack: Attack, dialled = new Set<string>()): Cluster {
  const intercept = (op: Operator, base: EngineTransport): EngineTransport => {
    if (op.index !== 1) return base;
    const over: Partial<EngineTransport> = {
      client: {
        ...base.client,
        join: (url: string, body: SignedJoinRequest, timeoutMs: number) => attack(base, url, body, timeoutMs),
      },
      setPeer: (member) => {
        dialled.add(member.id);
        base.setPeer(member);
      },
      removePeer: (id) => {
        dialled.delete(id);
        base.removePeer(id);
      },
    };
    return new Proxy(base, {
      get: (t, k) => (k in over ? over[k as keyof EngineTransport] : Reflect.get(t, k)),
    });
  };
  return new Cluster({ size: 3, started: 1, transportOf: intercept });
}

const plantedKey = randomKey();
const planted = addressOfKey(plantedKey);
const plantedMember = {
  id: planted,
  operatorId: `0x${'ee'.repeat(32)}`,
  httpUrl: memoryUrl(planted),
  raftUrl: memoryUrl(planted),
};

async function expectNothingGranted(c: Cluster): Promise<void> {
  const joiner = c.operators[1]!;
  await expect(
    c.drive(
      joiner.engine.joinExistingOperatorCluster(memoryUrl(c.operators[0]!.address)),
      'the attacked join',
    ),
  ).rejects.toMatchObject({ code: 'JOIN_ANSWER_UNAUTHENTICATED', reason: 'ANSWER_UNAUTHENTICATED' });
  expect(joiner.engine.isPeerAllowed(planted)).toBe(false);
}

describe('the join answer is authenticated', () => {
  it('a genuine answer is signed by the member that answered and accepted', async () => {
    cluster = clusterWithAttacker((base, url, body, t) => base.client.join(url, body, t));
    const c = cluster;
    await c.start();
    const [founder, joiner] = c.operators as [Operator, Operator];
    const result = await c.drive(
      joiner.engine.joinExistingOperatorCluster(memoryUrl(founder.address)),
      'join',
    );
    expect(result.proof?.answeredBy).toBe(founder.address);
  });

  it('an answer forged by an unregistered key, listing itself, grants nothing', async () => {
    const forger = testJoinAuth(plantedKey);
    cluster = clusterWithAttacker(async (_base, _url, body) => {
      const answer = {
        chainId: body.request.chainId,
        contract: body.request.contract,
        clusterId: body.request.clusterId,
        joiner: body.request.operator.toLowerCase(),
        requestNonce: body.request.nonce.toLowerCase(),
        answeredBy: planted,
        role: 'voter' as const,
        leaderId: planted,
        members: [plantedMember],
      };
      return { ...answer, proof: { answeredBy: planted, signature: await forger.signAnswer(answer) } };
    });
    await cluster.start();
    await expectNothingGranted(cluster);
  });

  it('an unsigned answer, or a genuine one with a planted member, grants nothing', async () => {
    for (const strip of [true, false]) {
      cluster = clusterWithAttacker(async (base, url, body, t) => {
        const real = await base.client.join(url, body, t);
        return strip
          ? { role: real.role, leaderId: real.leaderId, members: [...real.members, plantedMember] }
          : { ...real, members: [...real.members, plantedMember] };
      });
      await cluster.start();
      await expectNothingGranted(cluster);
      await cluster.close();
      cluster = undefined;
    }
  });

  it("a genuine answer to another request (the same joiner's earlier one, or another joiner's) grants nothing", async () => {
    for (const sameJoiner of [true, false]) {
      let c!: Cluster;
      cluster = c = clusterWithAttacker(async (base, url, body, t) => {
        // The attacker obtains a genuine, signed answer to a request with another nonce.
        const who = c.operators[sameJoiner ? 1 : 2]!;
        const other = await testJoinAuth(who.ecdsaKey).sign({
          ...body.request,
          operator: who.address,
          operatorId: who.bls.operatorId,
          httpUrl: memoryUrl(who.address),
          raftUrl: memoryUrl(who.address),
          nonce: randomNonce(),
        });
        const genuine = await base.client.join(url, other, t);
        expect(genuine.proof).toBeDefined();
        return genuine;
      });
      await c.start();
      await expectNothingGranted(c);
      await c.close();
      cluster = undefined;
    }
  });

  it("a member's genuinely signed answer naming an extra identity: once the joiner applies its configuration, that identity is neither allowed nor dialled", async () => {
    const dialled = new Set<string>();
    let c!: Cluster;
    cluster = c = clusterWithAttacker(async (base, url, body, t) => {
      // The member asked (here the founder, with its own operator key) adds an identity and signs.
      const real = await base.client.join(url, body, t);
      const founder = c.operators[0]!;
      const members = [...real.members, plantedMember];
      const answer = {
        chainId: body.request.chainId,
        contract: body.request.contract,
        clusterId: body.request.clusterId,
        joiner: body.request.operator.toLowerCase(),
        requestNonce: body.request.nonce.toLowerCase(),
        answeredBy: founder.address,
        role: real.role,
        leaderId: real.leaderId,
        members,
      };
      const signature = await testJoinAuth(founder.ecdsaKey).signAnswer(answer);
      return { ...real, members, proof: { answeredBy: founder.address, signature } };
    }, dialled);
    await c.start();
    const [founder, joiner] = c.operators as [Operator, Operator];
    await c.drive(joiner.engine.joinExistingOperatorCluster(memoryUrl(founder.address)), 'the join');
    await c.waitFor(
      () => joiner.engine.status().voters.includes(joiner.address),
      'the joiner in its applied configuration',
    );
    expect(joiner.engine.isPeerAllowed(planted)).toBe(false);
    expect([...dialled]).not.toContain(planted);
    expect([...dialled]).toContain(founder.address);
  });
});
