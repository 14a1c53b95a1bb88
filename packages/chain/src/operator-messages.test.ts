import { hexlify, randomBytes, Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOperatorMessageError } from './errors.js';
import {
  type JoinRequest,
  operatorMessageDomain,
  signJoinRequest,
  signTransportAuth,
  type TransportAuth,
  verifyJoinRequest,
  verifyTransportAuth,
} from './operator-messages.js';

const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const domain = operatorMessageDomain(31337, registry);
const operator = new Wallet('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const peer = new Wallet('0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a');
const now = 1_800_000_000n;

function join(overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    operator: operator.address,
    operatorId: `0x${'ab'.repeat(32)}`,
    raftUrl: 'http://127.0.0.1:7001',
    httpUrl: 'http://127.0.0.1:8001',
    nonce: hexlify(randomBytes(32)),
    expiresAt: now + 60n,
    ...overrides,
  };
}

/** What crosses the network: JSON with bigints as strings. */
function overTheWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

describe('EIP-712 join requests', () => {
  it('verifies a signed request after a JSON round trip', async () => {
    const signed = await signJoinRequest(operator, domain, join());
    const verified = verifyJoinRequest(domain, overTheWire(signed), { nowSeconds: now });
    expect(verified.operator).toBe(operator.address);
    expect(verified.expiresAt).toBe(now + 60n);
  });

  it('rejects tampering, another signer, another domain, expiry and long lifetimes', async () => {
    const signed = await signJoinRequest(operator, domain, join());
    const wire = overTheWire(signed) as { message: Record<string, string>; signature: string };
    const tampered = { ...wire, message: { ...wire.message, httpUrl: 'http://evil.example:8001' } };
    expect(() => verifyJoinRequest(domain, tampered, { nowSeconds: now })).toThrow(
      InvalidOperatorMessageError,
    );
    const otherChain = operatorMessageDomain(1, registry);
    expect(() => verifyJoinRequest(otherChain, wire, { nowSeconds: now })).toThrow(/not by message.operator/);
    const otherRegistry = operatorMessageDomain(31337, peer.address);
    expect(() => verifyJoinRequest(otherRegistry, wire, { nowSeconds: now })).toThrow(
      InvalidOperatorMessageError,
    );
    expect(() => verifyJoinRequest(domain, wire, { nowSeconds: now + 60n })).toThrow(/expired/);
    const long = await signJoinRequest(operator, domain, join({ expiresAt: now + 100_000n }));
    expect(() => verifyJoinRequest(domain, overTheWire(long), { nowSeconds: now })).toThrow(
      /more than the allowed/,
    );
    // Claiming to be someone else.
    const impostor = await signJoinRequest(peer, domain, join({ operator: peer.address }));
    const swapped = { ...(overTheWire(impostor) as object), message: { ...wire.message } };
    expect(() => verifyJoinRequest(domain, swapped, { nowSeconds: now })).toThrow(
      InvalidOperatorMessageError,
    );
  });

  it('rejects malformed input with a message saying what was expected', () => {
    expect(() =>
      verifyJoinRequest(domain, { message: { operator: 'x' }, signature: '0x' }, { nowSeconds: now }),
    ).toThrow(/malformed join request/);
    expect(() => verifyJoinRequest(domain, null, { nowSeconds: now })).toThrow(InvalidOperatorMessageError);
  });

  it('refuses to sign for another operator address', async () => {
    await expect(signJoinRequest(operator, domain, join({ operator: peer.address }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

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
