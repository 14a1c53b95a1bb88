import { InvalidArgumentError } from '@avs/chain';
import { type JoinAnswer, type JoinRequest, randomNonce } from '@avs/engine';
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import {
  eip712JoinAuthenticator,
  joinAnswerDigest,
  joinRequestDigest,
  recoverJoinAnswerSigner,
  recoverJoinSigner,
  signJoinAnswer,
  signJoinRequest,
} from './eip712-join.js';

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

describe('join answers (EIP-712)', () => {
  const member = {
    id: wallet.address.toLowerCase(),
    operatorId: `0x${'ab'.repeat(32)}`,
    httpUrl: 'http://127.0.0.1:1',
    raftUrl: 'http://127.0.0.1:2',
  };
  const answer = (): JoinAnswer => ({
    chainId: 31337,
    contract: '0x00000000000000000000000000000000000a5a5a',
    clusterId: 'c',
    joiner: '0x0000000000000000000000000000000000000002',
    requestNonce: `0x${'cd'.repeat(32)}`,
    answeredBy: wallet.address.toLowerCase(),
    role: 'learner',
    leaderId: wallet.address.toLowerCase(),
    members: [member],
  });

  it('recovers the answering member, and nobody else for any changed field or member', async () => {
    const auth = eip712JoinAuthenticator(wallet.privateKey);
    const signature = await auth.signAnswer(answer());
    expect(auth.recoverAnswerSigner(answer(), signature)).toBe(wallet.address.toLowerCase());
    const planted = { ...member, id: '0x0000000000000000000000000000000000000bad' };
    const changes: Partial<JoinAnswer>[] = [
      { requestNonce: `0x${'ce'.repeat(32)}` },
      { joiner: '0x0000000000000000000000000000000000000003' },
      { clusterId: 'd' },
      { chainId: 1 },
      { role: 'voter' },
      { leaderId: '0x0000000000000000000000000000000000000bad' },
      { members: [member, planted] },
      { members: [{ ...member, raftUrl: 'http://127.0.0.1:3' }] },
    ];
    for (const change of changes) {
      const tampered = { ...answer(), ...change };
      expect(recoverJoinAnswerSigner(tampered, signature)).not.toBe(wallet.address.toLowerCase());
      expect(joinAnswerDigest(tampered)).not.toBe(joinAnswerDigest(answer()));
    }
  });

  it('never throws on a malformed signature or answer, and refuses to sign for another address', async () => {
    expect(recoverJoinAnswerSigner(answer(), `0x${'00'.repeat(65)}`)).toBeUndefined();
    expect(recoverJoinAnswerSigner({ ...answer(), joiner: 'nope' }, `0x${'00'.repeat(65)}`)).toBeUndefined();
    const other = { ...answer(), answeredBy: '0x0000000000000000000000000000000000000001' };
    await expect(signJoinAnswer(other, wallet.privateKey)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
