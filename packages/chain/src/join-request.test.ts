import { type JoinRequest, randomNonce } from '@avs/engine';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import {
  eip712JoinAuthenticator,
  joinRequestDigest,
  recoverJoinSigner,
  signJoinRequest,
} from './join-request.js';

const wallet = new Wallet(`0x${'01'.padStart(64, '0')}`);
const request = (): JoinRequest => ({
  chainId: 31337,
  contract: '0x00000000000000000000000000000000000a5a5a',
  clusterId: 'c',
  operator: wallet.address.toLowerCase(),
  operatorId: `0x${'ab'.repeat(32)}`,
  httpUrl: 'http://127.0.0.1:1',
  raftUrl: 'http://127.0.0.1:1',
  block: 10,
  expiresAtMs: 1_000,
  nonce: randomNonce(),
});

describe('join requests (EIP-712)', () => {
  it('recovers the signer, and nobody else for any changed field', async () => {
    const signed = await signJoinRequest(request(), wallet.privateKey);
    expect(recoverJoinSigner(signed)).toBe(wallet.address.toLowerCase());
    const changes: Partial<JoinRequest>[] = [
      { chainId: 1 },
      { contract: '0x00000000000000000000000000000000000a5a5b' },
      { clusterId: 'd' },
      { block: 11 },
      { expiresAtMs: 1_001 },
      { nonce: randomNonce() },
      { httpUrl: 'http://127.0.0.1:2' },
    ];
    for (const change of changes) {
      const tampered = { ...signed, request: { ...signed.request, ...change } };
      expect(recoverJoinSigner(tampered)).not.toBe(wallet.address.toLowerCase());
      expect(joinRequestDigest(tampered.request)).not.toBe(joinRequestDigest(signed.request));
    }
  });

  it('never throws on a malformed signature', () => {
    expect(recoverJoinSigner({ request: request(), signature: `0x${'00'.repeat(65)}` })).toBeUndefined();
  });

  it('refuses to sign for another address', async () => {
    const other = { ...request(), operator: '0x0000000000000000000000000000000000000001' };
    await expect(signJoinRequest(other, wallet.privateKey)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('eip712JoinAuthenticator is the engine port over the same signature', async () => {
    const auth = eip712JoinAuthenticator(wallet.privateKey);
    expect(auth.address).toBe(wallet.address);
    const signed = await auth.sign(request());
    expect(auth.recoverSigner(signed)).toBe(wallet.address.toLowerCase());
    expect(recoverJoinSigner(signed)).toBe(wallet.address.toLowerCase());
    expect(() => eip712JoinAuthenticator('0x1234')).toThrow(InvalidArgumentError);
  });
});
