/**
 * The sequential specification of one key of the kv store, as the
 * linearizability checker uses it: a register holding a string or nothing.
 */
import type { KvInput, KvOutput } from './history.js';

/** The state of one key: its value, or null when absent. */
export type KvState = string | null;

/** The result of applying an operation to a state. */
export interface KvStep {
  /** Whether the observed output is what the specification gives in this state. */
  readonly legal: boolean;
  readonly next: KvState;
}

/**
 * Applies `input` in `state`. With `output` undefined (an operation whose
 * answer was lost) every output is accepted, but the state still changes
 * exactly as the specification says (a CAS swaps only if the compare holds).
 * @param state the value of the key before the operation
 * @param input the operation
 * @param output what the client saw, or undefined when unknown
 * @returns whether the output is legal and the state after
 */
export function stepKv(state: KvState, input: KvInput, output: KvOutput | undefined): KvStep {
  switch (input.f) {
    case 'put':
      return { legal: true, next: input.value };
    case 'get':
      return { legal: output === undefined || (output.f === 'get' && output.value === state), next: state };
    case 'delete':
      return {
        legal:
          output === undefined ||
          (output.f === 'delete' && (output.deleted === undefined || output.deleted === (state !== null))),
        next: null,
      };
    case 'cas': {
      const matches = state === input.expect;
      return {
        legal: output === undefined || (output.f === 'cas' && output.swapped === matches),
        next: matches ? input.value : state,
      };
    }
  }
}

/** The initial state of every key: absent. */
export const INITIAL_KV_STATE: KvState = null;
