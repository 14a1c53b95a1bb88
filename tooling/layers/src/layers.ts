/**
 * The layers of docs/architecture.md, bottom first. A package may import packages of its own layer
 * or of a lower one, never of a higher one. Keep this table and the document in step.
 */
export interface Layer {
  /** Short name used in messages. */
  readonly name: string;
  /** Workspace package names in this layer. */
  readonly packages: readonly string[];
}

/** Bottom first: index 0 is the lowest layer. */
export const LAYERS: readonly Layer[] = [
  { name: 'core', packages: ['@avs/raft-core', '@avs/retry'] },
  {
    name: 'services',
    packages: [
      '@avs/storage-testkit',
      '@avs/storage-kv',
      '@avs/storage-file',
      '@avs/storage-level',
      '@avs/storage-dynamodb',
      '@avs/storage-durable-object',
      '@avs/transport-http',
      '@avs/bls',
      '@avs/contracts',
      '@avs/chain',
    ],
  },
  // engine-chain binds the engine's ports to the chain client, so neither of the two knows the other.
  { name: 'engine', packages: ['@avs/engine', '@avs/engine-chain'] },
  { name: 'apps', packages: ['@avs/kv', '@avs/edge-kv', '@avs/operator'] },
  // Harnesses and repo-wide checks that load the packages they check.
  { name: 'harness', packages: ['@avs/bench', '@avs/chaos', '@avs/kv-cluster', '@avs/package-check'] },
];

/**
 * Packages beside every layer: any package may import them; they import only each other.
 * Build and test configuration, and this check.
 */
export const BESIDE: readonly string[] = ['@avs/tooling-config', '@avs/layers'];

/** A package that must never import some others, whatever their layers. */
export interface KeptApart {
  readonly from: string;
  /** Package names (workspace or npm) `from` may not depend on or import, tests included. */
  readonly never: readonly string[];
  /** Shown with the violation. */
  readonly why: string;
}

/** Rules beyond the layer order. */
export const APART: readonly KeptApart[] = [
  {
    from: '@avs/engine',
    never: ['@avs/chain', '@avs/engine-chain', 'ethers'],
    why: 'the engine reaches the chain only through ports it owns (issue 18); @avs/engine-chain implements them',
  },
];
