import { hexlify, randomBytes, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  operatorMessageDomain,
  signTransportAuth,
  type TransportAuth,
  verifyTransportAuth,
} from './operator-messages.js';

const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = operatorMessageDomain(31337, registry);
const operator = new Wallet('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const peer = new Wallet('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const now = 1_800_000_000n;

/** What crosses the network: JSON with bigints as strings. */
function overTheWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

describe('EIP-712 transport authentication', () => {
  function auth(overrides: Partial<TransportAuth> = {}): TransportAuth {
    return {
      operator: operator.address,
      operatorId: `0x${'cd'.repeat(32)}`,
      audience: peer.address,
      nonce: hexlify(randomBytes(32)),
      issuedAt: now,
      expiresAt: now + 30n,
      ...overrides,
    };
  }

  it('verifies for the intended audience only', async () => {
    const signed = overTheWire(await signTransportAuth(operator, domain, auth()));
    expect(
      verifyTransportAuth(domain, signed, { nowSeconds: now, expectedAudience: peer.address }).operator,
    ).toBe(operator.address);
    expect(() =>
      verifyTransportAuth(domain, signed, { nowSeconds: now, expectedAudience: operator.address }),
    ).toThrow(/is for/);
  });

  it('rejects a token issued in the future', async () => {
    const signed = overTheWire(
      await signTransportAuth(operator, domain, auth({ issuedAt: now + 3600n, expiresAt: now + 3601n })),
    );
    expect(() =>
      verifyTransportAuth(domain, signed, {
        nowSeconds: now,
        expectedAudience: peer.address,
        maxTtlSeconds: 7200,
      }),
    ).toThrow(/future/);
  });
});
