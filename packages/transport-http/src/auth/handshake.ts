/**
 * The handshake that opens an authenticated session between two peers.
 *
 * 1. The client sends an offer: `{from, to, timestamp, nonce, peerNonce: 0, ephemeralKey, signature}`.
 * 2. The server checks domain-bound signature, freshness, replay and membership, and
 *    answers with the same fields signed by itself, `peerNonce` = the offer's nonce.
 * 3. Both derive the session key: HKDF-SHA256 over the ECDH secret of the two
 *    ephemeral keys (salt: both nonces; info: both ids). The session id is the
 *    answer's nonce. Later requests carry an HMAC under that key (see request-signing.ts).
 *
 * Ephemeral keys give forward secrecy: an operator key leaked later does not
 * reveal past session keys.
 */

import type { NodeId } from '@avs/raft-core';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
// zod/mini, not zod: the classic API weighs about 450 KB in a bundled edge worker, mini a few KB.
import * as z from 'zod/mini';
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8 } from './bytes.js';
import { type HandshakeFields, type HandshakeScheme, ZERO_NONCE } from './handshake-scheme.js';
import { secp256k1 } from './secp256k1-curve.js';

const hex32 = z.string().check(z.regex(/^0x[0-9a-f]{64}$/, 'expected 32 bytes of lowercase 0x hex'));

/** zod schema of a handshake offer or answer body. */
export const handshakeMessageSchema = z.strictObject({
  version: z.literal(1),
  from: z.string().check(z.minLength(1), z.maxLength(128)),
  to: z.string().check(z.minLength(1), z.maxLength(128)),
  timestamp: z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)),
  nonce: hex32,
  peerNonce: hex32,
  ephemeralKey: z
    .string()
    .check(z.regex(/^0x0[23][0-9a-f]{64}$/, 'expected a compressed secp256k1 point (33 bytes)')),
  signature: z.string().check(z.regex(/^0x[0-9a-f]{64,130}$/, 'expected a 0x hex signature')),
});

/** A handshake offer or answer as sent on the wire. */
export type HandshakeMessage = z.infer<typeof handshakeMessageSchema>;

/** What the client keeps between sending an offer and reading the answer. */
export interface PendingHandshake {
  readonly offer: HandshakeMessage;
  readonly ephemeralSecret: Uint8Array;
}

/** The keys of an established session (both sides). */
export interface SessionKeys {
  /** The answer's nonce, 0x hex. */
  readonly sessionId: string;
  /** 32-byte HMAC key. */
  readonly key: Uint8Array;
}

function fieldsOf(m: HandshakeMessage): HandshakeFields {
  return {
    from: m.from,
    to: m.to,
    timestamp: m.timestamp,
    nonce: m.nonce,
    peerNonce: m.peerNonce,
    ephemeralKey: m.ephemeralKey,
  };
}

function newMessage(
  scheme: HandshakeScheme,
  to: NodeId,
  now: number,
  peerNonce: string,
): { message: HandshakeMessage; ephemeralSecret: Uint8Array } {
  const ephemeralSecret = secp256k1().utils.randomSecretKey();
  const fields: HandshakeFields = {
    from: scheme.nodeId,
    to,
    timestamp: now,
    nonce: bytesToHex(randomBytes(32)),
    peerNonce,
    ephemeralKey: bytesToHex(secp256k1().getPublicKey(ephemeralSecret, true)),
  };
  return { message: { version: 1, ...fields, signature: scheme.sign(fields) }, ephemeralSecret };
}

/** Builds a signed offer to `to`. */
export function createOffer(scheme: HandshakeScheme, to: NodeId, now: number): PendingHandshake {
  const { message, ephemeralSecret } = newMessage(scheme, to, now, ZERO_NONCE);
  return { offer: message, ephemeralSecret };
}

/** Whether a handshake message's signature is valid for its `from`. */
export function verifyHandshakeSignature(scheme: HandshakeScheme, message: HandshakeMessage): boolean {
  return scheme.verify(fieldsOf(message), message.signature);
}

function derive(
  scheme: HandshakeScheme,
  ephemeralSecret: Uint8Array,
  peerEphemeralKey: string,
  offer: HandshakeMessage,
  answer: HandshakeMessage,
): SessionKeys {
  const shared = secp256k1().getSharedSecret(ephemeralSecret, hexToBytes(peerEphemeralKey), true).subarray(1);
  const key = hkdf(
    sha256,
    concatBytes(shared, scheme.sessionSalt),
    concatBytes(hexToBytes(offer.nonce), hexToBytes(answer.nonce)),
    utf8(`avs-raft/transport-http/v1 session ${offer.from} ${offer.to}`),
    32,
  );
  return { sessionId: answer.nonce, key };
}

/**
 * Server side: answers a verified offer and derives the session keys.
 * The caller has already checked the offer (signature, freshness, replay, membership).
 * @throws Error from @noble/curves if the offer's ephemeral key is not a curve point
 */
export function answerOffer(
  scheme: HandshakeScheme,
  offer: HandshakeMessage,
  now: number,
): { answer: HandshakeMessage; keys: SessionKeys } {
  const { message: answer, ephemeralSecret } = newMessage(scheme, offer.from, now, offer.nonce);
  return { answer, keys: derive(scheme, ephemeralSecret, offer.ephemeralKey, offer, answer) };
}

/**
 * Client side: checks the server's answer to `pending` and derives the session keys.
 * @param expectedPeer the id the client meant to reach; the answer must be signed by it
 * @returns the keys, or a reason string when the answer is not acceptable
 */
export function completeHandshake(
  scheme: HandshakeScheme,
  pending: PendingHandshake,
  answer: HandshakeMessage,
  expectedPeer: NodeId,
): SessionKeys | string {
  if (answer.from !== expectedPeer) return `the answer comes from ${answer.from}, expected ${expectedPeer}`;
  if (answer.to !== scheme.nodeId) return `the answer is addressed to ${answer.to}, not to this node`;
  if (answer.peerNonce !== pending.offer.nonce) return 'the answer does not echo the offer nonce';
  if (!verifyHandshakeSignature(scheme, answer)) return 'the answer signature is invalid';
  try {
    return derive(scheme, pending.ephemeralSecret, answer.ephemeralKey, pending.offer, answer);
  } catch {
    return 'the answer ephemeral key is not a secp256k1 point';
  }
}
