import { AbiCoder, keccak256, ParamType } from 'ethers';

/**
 * Parsed types by their text: parsing a type string (ethers builds a ParamType tree) cost more
 * than the encoding itself when every response of a busy devnet was digested (issue #19 profile).
 */
const parsedTypes = new Map<string, ParamType>();

/** The parsed form of a Solidity type, parsed once per distinct text (a handful per application). */
export function parsedAbiType(abiType: string): ParamType {
  let parsed = parsedTypes.get(abiType);
  if (parsed === undefined) {
    parsed = ParamType.from(abiType);
    if (parsedTypes.size < 256) parsedTypes.set(abiType, parsed);
  }
  return parsed;
}

/**
 * `keccak256(abi.encode(value))` for one Solidity type: the digest an on-chain
 * check recomputes for a response, e.g. `abiDigest('tuple(uint32 taskIndex, uint256 numberSquared)', r)`.
 * Use it as the engine's `digest.digestOf`.
 * @throws Error from ethers when `value` does not fit `abiType`
 */
export function abiDigest(abiType: string, value: unknown): `0x${string}` {
  return keccak256(AbiCoder.defaultAbiCoder().encode([parsedAbiType(abiType)], [value])) as `0x${string}`;
}
