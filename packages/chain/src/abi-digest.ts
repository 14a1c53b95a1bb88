import { AbiCoder, keccak256 } from 'ethers';

/**
 * `keccak256(abi.encode(value))` for one Solidity type: the digest an on-chain
 * check recomputes for a response, e.g. `abiDigest('tuple(uint32 taskIndex, uint256 numberSquared)', r)`.
 * Use it as the engine's `digest.digestOf`.
 * @throws Error from ethers when `value` does not fit `abiType`
 */
export function abiDigest(abiType: string, value: unknown): `0x${string}` {
  return keccak256(AbiCoder.defaultAbiCoder().encode([abiType], [value])) as `0x${string}`;
}
