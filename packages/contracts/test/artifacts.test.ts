import { describe, expect, it } from 'vitest';
import { compileContracts } from '../scripts/solc-compile.js';
import { artifacts, solcVersion } from '../src/index.js';

describe('generated artifacts', () => {
  it('match a fresh solc-js compilation of contracts/ (deterministic and up to date)', () => {
    const fresh = compileContracts();
    expect(fresh.solcVersion).toBe(solcVersion);
    for (const [name, artifact] of Object.entries(artifacts)) {
      const compiled = fresh.contracts[name as keyof typeof fresh.contracts];
      expect(artifact.bytecode, `${name} bytecode; run pnpm --filter @avs/contracts compile`).toBe(
        compiled.bytecode,
      );
      expect(artifact.abi).toEqual(compiled.abi);
    }
    // solc-js takes 5-20 s alone, minutes on a two-core machine under heavy load.
  }, 300_000);
});
