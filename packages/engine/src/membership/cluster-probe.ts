/**
 * One cluster per AVS (issue #17, item 8). Before a node founds a cluster it
 * asks every other registered operator's endpoint whether it belongs to a
 * cluster or is about to found one, and founds only when nobody does.
 *
 * The rule: each bootstrapper first starts answering probes as `probing`, then
 * probes everyone, then decides (synchronously, so no probe is answered between
 * the decision and the state change):
 * - someone answered `member` or `founding` (a cluster exists or is being
 *   founded): refuse with {@link ClusterExistsError} naming it;
 * - someone with a lower address is `probing` (it answered so, or it probed
 *   this node while this node was probing): defer to it, the same refusal;
 * - otherwise found, and answer `founding` until the Raft node runs.
 * For two bootstrappers A and B, the one that probes last reaches the other
 * after it started answering, and the probe also tells the probed node of its
 * sender: so at least one of them learns of the other before deciding, and a
 * node that has decided to found answers `founding`. Only one founds.
 */
import { z } from 'zod';
import { ClusterExistsError } from '../errors.js';
import type { TaskConsensusCallbacks } from '../ports/callbacks.js';
import type { EngineChain } from '../ports/chain-port.js';
import type { EngineTransport } from '../ports/engine-transport.js';

/** What a node answers to a cluster probe: existence and ids, nothing more. */
export const clusterProbeAnswerSchema = z.object({
  /** The answering node (lowercase address). */
  id: z.string().max(64),
  /** Its configured cluster id. */
  clusterId: z.string().max(128),
  state: z.enum(['none', 'probing', 'founding', 'member']),
  /** The leader it knows of, or ''. */
  leaderId: z.string().max(64),
  /** Whether the asking id is a member of the answering node's cluster (a restarting member). */
  includesAsker: z.boolean(),
});
export type ClusterProbeAnswer = z.infer<typeof clusterProbeAnswerSchema>;

/** The probe request: the asking node's claimed id (unauthenticated, only used to order bootstrappers). */
export const clusterProbeRequestSchema = z.object({ from: z.string().regex(/^0x[0-9a-fA-F]{40}$/) });

/** What the engine tells the guard about itself when answering. */
export interface ProbeView {
  /** Whether a Raft node with a non-empty configuration runs here. */
  readonly member: boolean;
  readonly leaderId: string;
  isMember(id: string): boolean;
}

/** A registered operator to probe. */
export interface ProbeTarget {
  readonly id: string;
  readonly httpUrl: string;
}

/** The bootstrap decision of one node, and its answers to others' probes. */
export class BootstrapGuard {
  #state: 'none' | 'probing' | 'founding' = 'none';
  /** Bootstrappers that probed this node while it was probing. */
  readonly #heard = new Set<string>();

  constructor(
    private readonly id: string,
    private readonly clusterId: string,
  ) {}

  /** Answers a probe from `from` (any caller; the id only orders bootstrappers). */
  answer(from: string, view: ProbeView): ClusterProbeAnswer {
    const asker = from.toLowerCase();
    if (this.#state === 'probing' && asker !== this.id) this.#heard.add(asker);
    const state = view.member ? 'member' : this.#state;
    return {
      id: this.id,
      clusterId: this.clusterId,
      state,
      leaderId: view.leaderId,
      includesAsker: view.member && view.isMember(asker),
    };
  }

  /**
   * Probes `targets` and decides. Resolves when this node may found (or is a
   * restarting member the others know); rejects with ClusterExistsError.
   * Unreachable targets and bad answers count as "no cluster there".
   */
  async decide(
    transport: EngineTransport,
    targets: readonly ProbeTarget[],
    timeoutMs: number,
  ): Promise<void> {
    this.#state = 'probing';
    this.#heard.clear();
    const answers: ClusterProbeAnswer[] = [];
    const probe = transport.client.probeCluster;
    if (probe) {
      await Promise.all(
        targets
          // Never dial what this node's endpoint policy refuses (a registered URL into a private network).
          .filter(
            (t) => t.id.toLowerCase() !== this.id && transport.endpointRefusal?.(t.httpUrl) === undefined,
          )
          .map(async (t) => {
            try {
              answers.push(await probe.call(transport.client, t.httpUrl, this.id, timeoutMs));
            } catch {
              // Unreachable or not answering: no cluster known there.
            }
          }),
      );
    }
    // From here to the state change nothing awaits, so no probe sees a half-made decision.
    const restart = answers.find((a) => a.state === 'member' && a.includesAsker);
    const existing = answers.find(
      (a): a is ClusterProbeAnswer & { state: 'member' | 'founding' } =>
        a.state === 'member' || a.state === 'founding',
    );
    if (existing && !restart) {
      this.#state = 'none';
      throw new ClusterExistsError(existing.clusterId, existing.leaderId || existing.id, existing.state);
    }
    const lower = [
      ...answers.filter((a) => a.state === 'probing').map((a) => a.id.toLowerCase()),
      ...this.#heard,
    ]
      .filter((other) => other < this.id)
      .sort()[0];
    if (lower !== undefined && !restart) {
      this.#state = 'none';
      throw new ClusterExistsError(this.clusterId, lower, 'probing');
    }
    this.#state = 'founding';
  }

  /** After the Raft node runs (its configuration answers from then on) or a refusal. */
  reset(): void {
    this.#state = 'none';
    this.#heard.clear();
  }
}

/**
 * The registered operators of `quorums` at the latest block and their HTTP endpoints (through
 * `operatorAddressOf` and `fetchOperatorUrl`). Without `operatorAddressOf` nobody can be found.
 * Chain errors propagate: founding blind is what this check exists to prevent.
 */
export async function registeredProbeTargets(
  chain: Pick<EngineChain, 'latestBlock' | 'operatorState'>,
  callbacks: Pick<TaskConsensusCallbacks<unknown, unknown>, 'operatorAddressOf' | 'fetchOperatorUrl'>,
  quorums: readonly number[],
): Promise<ProbeTarget[]> {
  const lookup = callbacks.operatorAddressOf;
  if (!lookup) return [];
  const set = await chain.operatorState.getOperatorState(await chain.latestBlock(), quorums);
  const targets = await Promise.all(
    set.operators.map(async (op): Promise<ProbeTarget | undefined> => {
      const address = await lookup.call(callbacks, op.operatorId);
      if (!address) return undefined;
      const endpoints = await callbacks.fetchOperatorUrl(address);
      const httpUrl = typeof endpoints === 'string' ? endpoints : endpoints.httpUrl;
      return { id: address.toLowerCase(), httpUrl };
    }),
  );
  return targets.filter((t): t is ProbeTarget => t !== undefined);
}
