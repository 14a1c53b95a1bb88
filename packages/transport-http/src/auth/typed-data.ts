/**
 * EIP-712 hashing of the handshake struct (https://eips.ethereum.org/EIPS/eip-712),
 * enough of it for flat structs of `address`, `string`, `uint64`, `uint256`,
 * `bytes32` and `bytes` fields. The digest is what operators sign with their
 * secp256k1 key, so a wallet or HSM that signs EIP-712 data can sign handshakes.
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { TransportConfigError } from '../errors.js';
import { bytesToHex, concatBytes, hexToBytes, utf8 } from './bytes.js';

/** The signing domain: ties a signature to one chain and one cluster. */
export interface HandshakeDomain {
  /** EVM chain id the cluster's contracts live on (0 when there is none). */
  readonly chainId: bigint | number;
  /** Address of the contract that defines the cluster (the AVS service manager), 0x hex: lowercase or EIP-55 checksummed (normalised to lowercase). */
  readonly verifyingContract: string;
  /** 32-byte cluster id as 0x hex: separates clusters that share a contract. */
  readonly clusterId: string;
}

/** EIP-712 domain name and version of this protocol. */
export const DOMAIN_NAME = 'avs-raft-transport';
export const DOMAIN_VERSION = '1';

type FieldType = 'address' | 'string' | 'uint64' | 'uint256' | 'bytes32' | 'bytes';

/** A flat EIP-712 struct type: its name and ordered fields. */
export interface StructType {
  readonly name: string;
  readonly fields: readonly (readonly [name: string, type: FieldType])[];
}

const DOMAIN_TYPE: StructType = {
  name: 'EIP712Domain',
  fields: [
    ['name', 'string'],
    ['version', 'string'],
    ['chainId', 'uint256'],
    ['verifyingContract', 'address'],
    ['salt', 'bytes32'],
  ],
};

function typeString(t: StructType): string {
  return `${t.name}(${t.fields.map(([n, ty]) => `${ty} ${n}`).join(',')})`;
}

function word(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 256n) throw new TransportConfigError(`uint256 out of range: ${value}`);
  return hexToBytes(value.toString(16).padStart(64, '0'));
}

function encodeField(type: FieldType, value: unknown): Uint8Array {
  switch (type) {
    case 'address': {
      const bytes = hexToBytes(String(value));
      if (bytes.length !== 20)
        throw new TransportConfigError(`expected a 20-byte address, got ${String(value)}`);
      return concatBytes(new Uint8Array(12), bytes);
    }
    case 'string':
      return keccak_256(utf8(String(value)));
    case 'bytes':
      return keccak_256(value as Uint8Array);
    case 'bytes32': {
      const bytes = typeof value === 'string' ? hexToBytes(value) : (value as Uint8Array);
      if (bytes.length !== 32) throw new TransportConfigError('expected 32 bytes for a bytes32 field');
      return bytes;
    }
    case 'uint64':
    case 'uint256':
      return word(BigInt(value as number | bigint));
  }
}

/** `hashStruct(s)` of EIP-712: keccak256(typeHash ‖ encodeData(s)). */
export function hashStruct(type: StructType, value: Readonly<Record<string, unknown>>): Uint8Array {
  const parts: Uint8Array[] = [keccak_256(utf8(typeString(type)))];
  for (const [name, ty] of type.fields) parts.push(encodeField(ty, value[name]));
  return keccak_256(concatBytes(...parts));
}

/** The domain separator of a handshake domain. */
export function domainSeparator(domain: HandshakeDomain): Uint8Array {
  return hashStruct(DOMAIN_TYPE, {
    name: DOMAIN_NAME,
    version: DOMAIN_VERSION,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
    salt: domain.clusterId,
  });
}

/** The EIP-712 digest `keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))`. */
export function typedDataDigest(
  separator: Uint8Array,
  type: StructType,
  value: Readonly<Record<string, unknown>>,
): Uint8Array {
  return keccak_256(concatBytes(new Uint8Array([0x19, 0x01]), separator, hashStruct(type, value)));
}

export { bytesToHex };
