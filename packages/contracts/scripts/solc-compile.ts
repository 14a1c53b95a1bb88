/**
 * Compiles `contracts/*.sol` with solc-js. Deterministic: sources are read in sorted order, the
 * compiler version and every setting are pinned, and no metadata hash is appended to the bytecode
 * (so the output depends on the source text alone).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Directory holding the Solidity sources. */
export const contractsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'contracts');

/** The contracts whose artifacts are emitted (libraries, interfaces and abstract bases are not). */
export const emittedContracts = ['OperatorRegistry', 'OperatorStateRetriever', 'TaskManager'] as const;

/** Pinned compiler settings; `evmVersion` must be explicit (solc 0.8.37 defaults to osaka). */
export const compilerSettings = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 200 },
  viaIR: false,
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

export interface CompiledContract {
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
}

export interface CompileOutput {
  solcVersion: string;
  contracts: Record<(typeof emittedContracts)[number], CompiledContract>;
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
    >
  >;
}

/**
 * Compiles every source under `contracts/`.
 * @throws Error listing the compiler errors if compilation fails.
 */
export function compileContracts(): CompileOutput {
  const require = createRequire(import.meta.url);
  const solc = require('solc') as { version(): string; compile(input: string): string };
  const files = readdirSync(contractsDir)
    .filter((f) => f.endsWith('.sol'))
    .sort();
  const sources: Record<string, { content: string }> = {};
  for (const file of files) sources[file] = { content: readFileSync(join(contractsDir, file), 'utf8') };
  const input = { language: 'Solidity', sources, settings: compilerSettings };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  const contracts = {} as CompileOutput['contracts'];
  for (const name of emittedContracts) {
    const compiled = output.contracts?.[`${name}.sol`]?.[name];
    if (!compiled) throw new Error(`solc produced no output for ${name}`);
    contracts[name] = {
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
      deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
    };
  }
  return { solcVersion: solc.version(), contracts };
}
