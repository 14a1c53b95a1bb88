/**
 * How peers prove who they are during the handshake. Two schemes share one
 * handshake: operators sign an EIP-712 digest with their secp256k1 key
 * ({@link operatorKeyScheme}), or clusters without on-chain keys MAC the same
 * kind of digest with a cluster secret ({@link sharedSecretScheme}).
 */

import type { NodeId } from '@avs/raft-core';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { TransportConfigError } from '../errors.js';
import { bytesToHex, concatBytes, hexToBytes } from './bytes.js';
import { secp256k1 } from './secp256k1-curve.js';
import { domainSeparator, type HandshakeDomain, type StructType, typedDataDigest } from './typed-data.js';

/** The signed fields of a handshake offer (client) or answer (server). */
export interface HandshakeFields {
  readonly from: NodeId;
  readonly to: NodeId;
  /** Milliseconds since the Unix epoch. */
  readonly timestamp: number;
  /** 32 random bytes, 0x hex. */
  readonly nonce: string;
  /** The offer's nonce in an answer; 32 zero bytes in an offer. */
  readonly peerNonce: string;
  /** Compressed secp256k1 ephemeral public key for the session's ECDH, 0x hex (33 bytes). */
  readonly ephemeralKey: string;
}

/** A way to sign and check handshakes. */
export interface HandshakeScheme {
  /** `operator-key` or `shared-secret`. */
  readonly kind: 'operator-key' | 'shared-secret';
  /** This node's id: its lowercase 0x address for operator keys. */
  readonly nodeId: NodeId;
  /** Signs fields this node sends. @returns 0x hex signature */
  sign(fields: HandshakeFields): string;
  /** True when `signature` was made over `fields` by `fields.from`. Never throws on malformed signatures. */
  verify(fields: HandshakeFields, signature: string): boolean;
  /** Extra key material mixed into the session key (the cluster secret in shared-secret mode). */
  readonly sessionSalt: Uint8Array;
  /** Whether a string is a well-formed node id in this scheme. */
  isNodeId(id: string): boolean;
}

/** Zero nonce of an offer's `peerNonce`. */
export const ZERO_NONCE = `0x${'00'.repeat(32)}`;

/** The EIP-712 struct operators sign. */
export const OPERATOR_HANDSHAKE: StructType = {
  name: 'Handshake',
  fields: [
    ['from', 'address'],
    ['to', 'address'],
    ['timestamp', 'uint64'],
    ['nonce', 'bytes32'],
    ['peerNonce', 'bytes32'],
    ['ephemeralKey', 'bytes'],
  ],
};

const SHARED_HANDSHAKE: StructType = {
  name: 'SharedSecretHandshake',
  fields: [
    ['from', 'string'],
    ['to', 'string'],
    ['timestamp', 'uint64'],
    ['nonce', 'bytes32'],
    ['peerNonce', 'bytes32'],
    ['ephemeralKey', 'bytes'],
  ],
};

const ADDRESS = /^0x[0-9a-f]{40}$/;

/** Whether `id` is a lowercase 0x Ethereum address (the NodeId form of operators). */
export function isAddress(id: string): boolean {
  return ADDRESS.test(id);
}

/** Ethereum address (lowercase 0x hex) of a secp256k1 public key. */
export function addressOf(publicKey: Uint8Array): string {
  const uncompressed =
    publicKey.length === 65 ? publicKey : secp256k1().Point.fromBytes(publicKey).toBytes(false);
  return bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12));
}

/** Whether a mixed-case address carries a valid EIP-55 checksum. */
function hasValidChecksum(address: string): boolean {
  const hex = address.slice(2);
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(hex.toLowerCase()))).slice(2);
  for (let i = 0; i < 40; i++) {
    const c = hex[i]!;
    if (c >= 'a' && c <= 'f' && Number.parseInt(hash[i]!, 16) >= 8) return false;
    if (c >= 'A' && c <= 'F' && Number.parseInt(hash[i]!, 16) < 8) return false;
  }
  return true;
}

/**
 * Checks a domain and returns it normalised: addresses as ethers and viem return them
 * (EIP-55 checksummed) are accepted and lowercased, so every node derives the same separator.
 */
function normalizeDomain(domain: HandshakeDomain): HandshakeDomain {
  const contract = String(domain.verifyingContract);
  if (!/^0x[0-9a-fA-F]{40}$/.test(contract)) {
    throw new TransportConfigError(`verifyingContract must be a 0x address (20 bytes), got ${contract}`);
  }
  const body = contract.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  if (mixed && !hasValidChecksum(contract)) {
    throw new TransportConfigError(`verifyingContract has a wrong EIP-55 checksum: ${contract}`);
  }
  const clusterId = String(domain.clusterId);
  if (!/^0x[0-9a-fA-F]{64}$/.test(clusterId)) {
    throw new TransportConfigError(`clusterId must be 32 bytes of 0x hex, got ${clusterId}`);
  }
  return { ...domain, verifyingContract: contract.toLowerCase(), clusterId: clusterId.toLowerCase() };
}

function structValue(fields: HandshakeFields): Record<string, unknown> {
  return { ...fields, ephemeralKey: hexToBytes(fields.ephemeralKey) };
}

/**
 * Operators authenticate with their secp256k1 key: the handshake is an EIP-712
 * `Handshake(address from,address to,uint64 timestamp,bytes32 nonce,bytes32 peerNonce,bytes ephemeralKey)`
 * signature (65 bytes r ‖ s ‖ v), checked by recovering the signer's address.
 *
 * @param options.privateKey the operator's 32-byte secp256k1 key (0x hex or bytes)
 * @param options.domain chain id, verifying contract and cluster id
 * @throws TransportConfigError for a malformed key or domain
 */
export function operatorKeyScheme(options: {
  privateKey: string | Uint8Array;
  domain: HandshakeDomain;
}): HandshakeScheme {
  const domain = normalizeDomain(options.domain);
  const key = typeof options.privateKey === 'string' ? hexToBytes(options.privateKey) : options.privateKey;
  if (!secp256k1().utils.isValidSecretKey(key))
    throw new TransportConfigError('privateKey is not a valid secp256k1 key');
  const separator = domainSeparator(domain);
  const nodeId = addressOf(secp256k1().getPublicKey(key, false));
  const digest = (f: HandshakeFields) => typedDataDigest(separator, OPERATOR_HANDSHAKE, structValue(f));
  return {
    kind: 'operator-key',
    nodeId,
    sessionSalt: new Uint8Array(0),
    isNodeId: isAddress,
    sign(fields) {
      const sig = secp256k1().sign(digest(fields), key, { prehash: false, format: 'recovered' });
      // noble puts the recovery bit first; Ethereum puts it last as 27 + bit.
      return bytesToHex(concatBytes(sig.subarray(1), new Uint8Array([27 + sig[0]!])));
    },
    verify(fields, signature) {
      try {
        if (!isAddress(fields.from)) return false;
        const bytes = hexToBytes(signature);
        if (bytes.length !== 65) return false;
        const v = bytes[64]!;
        const bit = v >= 27 ? v - 27 : v;
        if (bit !== 0 && bit !== 1) return false;
        const recovered = concatBytes(new Uint8Array([bit]), bytes.subarray(0, 64));
        const publicKey = secp256k1().recoverPublicKey(recovered, digest(fields), { prehash: false });
        return addressOf(publicKey) === fields.from;
      } catch {
        // Malformed signature or point: not a valid signature, never an exception.
        return false;
      }
    },
  };
}

/**
 * Clusters without on-chain keys share a secret: the handshake is an HMAC-SHA256
 * under a key derived from it over the EIP-712 digest of
 * `SharedSecretHandshake(string from,string to,…)`. Node ids are free-form.
 * Anyone holding the secret can claim any id: use operator keys where you can.
 *
 * @param options.secret at least 32 bytes
 * @throws TransportConfigError for a short secret or a malformed domain
 */
export function sharedSecretScheme(options: {
  nodeId: NodeId;
  secret: Uint8Array;
  domain: HandshakeDomain;
}): HandshakeScheme {
  const domain = normalizeDomain(options.domain);
  if (options.secret.length < 32)
    throw new TransportConfigError('the cluster secret must be at least 32 bytes');
  if (!isFreeFormId(options.nodeId))
    throw new TransportConfigError(`invalid node id ${JSON.stringify(options.nodeId)}`);
  const separator = domainSeparator(domain);
  const macKey = hmac(
    sha256,
    options.secret,
    new TextEncoder().encode('avs-raft/transport-http/v1 handshake'),
  );
  const mac = (f: HandshakeFields) =>
    hmac(sha256, macKey, typedDataDigest(separator, SHARED_HANDSHAKE, structValue(f)));
  return {
    kind: 'shared-secret',
    nodeId: options.nodeId,
    sessionSalt: options.secret,
    isNodeId: isFreeFormId,
    sign: (fields) => bytesToHex(mac(fields)),
    verify(fields, signature) {
      try {
        const given = hexToBytes(signature);
        const expected = mac(fields);
        if (given.length !== expected.length) return false;
        let diff = 0;
        for (let i = 0; i < given.length; i++) diff |= given[i]! ^ expected[i]!;
        return diff === 0;
      } catch {
        return false;
      }
    },
  };
}

/** Node ids in shared-secret mode: 1 to 128 printable ASCII characters. */
function isFreeFormId(id: string): boolean {
  return /^[\x21-\x7e]{1,128}$/.test(id);
}
