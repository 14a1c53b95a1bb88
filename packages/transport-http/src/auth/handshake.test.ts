import { describe, expect, it } from 'vitest';
import vector from '../../test/vectors/eip712-handshake.json' with { type: 'json' };
import { bytesToHex, hexToBytes } from './bytes.js';
import { answerOffer, completeHandshake, createOffer, verifyHandshakeSignature } from './handshake.js';
import { OPERATOR_HANDSHAKE, operatorKeyScheme, sharedSecretScheme } from './handshake-scheme.js';
import { ReplayWindow } from './replay-window.js';
import {
  CANONICAL_PREFIX,
  importSessionKey,
  SYNC_DIGEST_MAX_BYTES,
  signRequest,
  verifyRequest,
} from './request-signing.js';
import { domainSeparator, typedDataDigest } from './typed-data.js';

const domain = {
  chainId: 31337,
  verifyingContract: '0x' + '22'.repeat(20),
  clusterId: '0x' + '33'.repeat(32),
};
const key = (n: number) => `0x${n.toString(16).padStart(2, '0').repeat(32)}`;

describe('EIP-712 handshake signatures', () => {
  it('match the digest and signature ethers computes (test/vectors/eip712-handshake.json)', () => {
    const separator = domainSeparator(vector.domain);
    expect(bytesToHex(separator)).toBe(vector.domainSeparator);
    const digest = typedDataDigest(separator, OPERATOR_HANDSHAKE, {
      ...vector.fields,
      ephemeralKey: hexToBytes(vector.fields.ephemeralKey),
    });
    expect(bytesToHex(digest)).toBe(vector.digest);
    const scheme = operatorKeyScheme({ privateKey: vector.privateKey, domain: vector.domain });
    expect(scheme.nodeId).toBe(vector.fields.from);
    expect(scheme.sign(vector.fields)).toBe(vector.signature);
    expect(scheme.verify(vector.fields, vector.signature)).toBe(true);
  });

  it('reject another signer, changed fields, another domain and malformed signatures without throwing', () => {
    const alice = operatorKeyScheme({ privateKey: key(1), domain });
    const mallory = operatorKeyScheme({ privateKey: key(2), domain });
    const other = operatorKeyScheme({ privateKey: key(1), domain: { ...domain, chainId: 1 } });
    const fields = { ...vector.fields, from: alice.nodeId };
    const sig = alice.sign(fields);
    expect(alice.verify(fields, sig)).toBe(true);
    expect(alice.verify(fields, mallory.sign(fields))).toBe(false);
    expect(alice.verify({ ...fields, timestamp: fields.timestamp + 1 }, sig)).toBe(false);
    expect(alice.verify(fields, other.sign(fields))).toBe(false);
    for (const bad of ['0x', '0x1234', `0x${'ff'.repeat(65)}`, 'zz', `0x${'00'.repeat(65)}`]) {
      expect(alice.verify(fields, bad)).toBe(false);
    }
  });

  it('accept a checksummed verifyingContract (as ethers and viem return it) and normalise it', () => {
    // EIP-55 test vector from the EIP itself.
    const checksummed = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    const lower = operatorKeyScheme({
      privateKey: key(1),
      domain: { ...domain, verifyingContract: checksummed.toLowerCase() },
    });
    const mixed = operatorKeyScheme({
      privateKey: key(1),
      domain: { ...domain, verifyingContract: checksummed },
    });
    const fields = {
      from: lower.nodeId,
      to: '0x' + '44'.repeat(20),
      timestamp: 1,
      nonce: '0x' + '55'.repeat(32),
      peerNonce: '0x' + '66'.repeat(32),
      ephemeralKey: '0x01',
    };
    // Same domain separator either way: a signature made under one verifies under the other.
    expect(mixed.verify(fields, lower.sign(fields))).toBe(true);
    expect(() =>
      operatorKeyScheme({
        privateKey: key(1),
        domain: { ...domain, verifyingContract: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeaED' },
      }),
    ).toThrow('verifyingContract has a wrong EIP-55 checksum');
    expect(() =>
      operatorKeyScheme({ privateKey: key(1), domain: { ...domain, verifyingContract: '0x1234' } }),
    ).toThrow('verifyingContract must be a 0x address');
  });

  it('shared-secret mode accepts only holders of the secret', () => {
    const secret = new Uint8Array(32).fill(7);
    const a = sharedSecretScheme({ nodeId: 'node-a', secret, domain });
    const b = sharedSecretScheme({ nodeId: 'node-b', secret, domain });
    const outsider = sharedSecretScheme({ nodeId: 'node-a', secret: new Uint8Array(32).fill(8), domain });
    const fields = { ...vector.fields, from: 'node-a', to: 'node-b' };
    expect(b.verify(fields, a.sign(fields))).toBe(true);
    expect(b.verify(fields, outsider.sign(fields))).toBe(false);
    expect(() => sharedSecretScheme({ nodeId: 'x', secret: new Uint8Array(8), domain })).toThrow(
      /at least 32 bytes/,
    );
  });
});

describe('handshake', () => {
  it('gives both sides the same session key and id, and the client checks the answer', () => {
    const client = operatorKeyScheme({ privateKey: key(1), domain });
    const server = operatorKeyScheme({ privateKey: key(2), domain });
    const pending = createOffer(client, server.nodeId, 1000);
    expect(verifyHandshakeSignature(server, pending.offer)).toBe(true);
    const { answer, keys } = answerOffer(server, pending.offer, 1001);
    const clientKeys = completeHandshake(client, pending, answer, server.nodeId);
    expect(clientKeys).toEqual(keys);
    const impostor = operatorKeyScheme({ privateKey: key(3), domain });
    expect(completeHandshake(client, pending, answer, impostor.nodeId)).toMatch(/expected/);
    expect(
      completeHandshake(client, pending, { ...answer, signature: pending.offer.signature }, server.nodeId),
    ).toBe('the answer signature is invalid');
    expect(completeHandshake(client, createOffer(client, server.nodeId, 5), answer, server.nodeId)).toMatch(
      /nonce/,
    );
  });
});

describe('ReplayWindow', () => {
  it('accepts each sequence number once, in any order within the window, and nothing older', () => {
    const w = new ReplayWindow(8);
    for (const seq of [5, 3, 4, 12, 6]) {
      expect(w.check(seq)).toBe('ok');
      w.mark(seq);
    }
    expect(w.check(5)).toBe('replayed');
    expect(w.check(12)).toBe('replayed');
    expect(w.check(4)).toBe('too-old');
    expect(w.check(7)).toBe('ok');
    expect(w.check(13)).toBe('ok');
  });
});

describe('request signing', () => {
  it('verifies only the exact request it signed', async () => {
    const k = await importSessionKey(new Uint8Array(32).fill(1));
    const parts = {
      method: 'POST',
      path: '/raft/v1/messages',
      sessionId: '0xab',
      timestamp: 5,
      seq: 1,
      body: new Uint8Array([1, 2, 3]),
    };
    const headers = await signRequest(k, parts);
    const sig = headers['x-avs-signature']!;
    expect(await verifyRequest(k, parts, sig)).toBe(true);
    expect(await verifyRequest(k, { ...parts, body: new Uint8Array([1, 2, 4]) }, sig)).toBe(false);
    expect(await verifyRequest(k, { ...parts, seq: 2 }, sig)).toBe(false);
    expect(await verifyRequest(k, { ...parts, path: '/raft/v1/snapshot' }, sig)).toBe(false);
    expect(await verifyRequest(k, parts, 'not hex')).toBe(false);
    const other = await importSessionKey(new Uint8Array(32).fill(2));
    expect(await verifyRequest(other, parts, sig)).toBe(false);
  });
});

describe('request signing on both hashing paths', () => {
  const key = new Uint8Array(32).map((_, i) => i + 7);

  /** The scheme computed independently with WebCrypto, as the README specifies it. */
  async function reference(parts: Parameters<typeof signRequest>[1]): Promise<string> {
    const subtle = globalThis.crypto.subtle;
    const digest = new Uint8Array(await subtle.digest('SHA-256', parts.body as Uint8Array<ArrayBuffer>));
    const hex = (b: Uint8Array) => `0x${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
    const canonical = `${CANONICAL_PREFIX}\n${parts.method}\n${parts.path}\n${parts.sessionId}\n${parts.timestamp}\n${parts.seq}\n${hex(digest)}`;
    const k = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return hex(new Uint8Array(await subtle.sign('HMAC', k, new TextEncoder().encode(canonical))));
  }

  for (const [label, size] of [
    ['a small body (hashed synchronously)', 300],
    ['a body at the synchronous limit', SYNC_DIGEST_MAX_BYTES],
    ['a large body (hashed by WebCrypto)', SYNC_DIGEST_MAX_BYTES + 1],
  ] as const) {
    it(`matches an independent WebCrypto HMAC and refuses a changed byte, for ${label}`, async () => {
      const k = await importSessionKey(key);
      const body = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
      const parts = {
        method: 'POST',
        path: '/raft/v1/messages',
        sessionId: '0xcd',
        timestamp: 9,
        seq: 4,
        body,
      };
      const sig = (await signRequest(k, parts))['x-avs-signature']!;
      expect(sig).toBe(await reference(parts));
      expect(await verifyRequest(k, parts, sig)).toBe(true);
      const changed = body.slice();
      changed[size - 1] = changed[size - 1]! ^ 1;
      expect(await verifyRequest(k, { ...parts, body: changed }, sig)).toBe(false);
      // A signature of the right length that differs in its last byte.
      const last = Number.parseInt(sig.slice(-2), 16) ^ 1;
      expect(await verifyRequest(k, parts, `${sig.slice(0, -2)}${last.toString(16).padStart(2, '0')}`)).toBe(
        false,
      );
    });
  }

  it('refuses a session key that is not 32 bytes', async () => {
    await expect(importSessionKey(new Uint8Array(16))).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});
