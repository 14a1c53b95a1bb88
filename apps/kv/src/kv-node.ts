/**
 * {@link KvNode}: one replica of the key-value store. It runs a `RaftNode`
 * from `@avs/raft-core` over any `Storage` and `Transport` with a
 * {@link KvStateMachine}, and exposes the store's operations with kv errors.
 * The HTTP API (`kv-api.ts`) and the process wiring (`kv-server.ts`) sit on top.
 */
import {
  ConfChangeType,
  type ConfState,
  type Logger,
  RaftNode,
  type RaftNodeConfig,
  type Storage,
  type Transport,
} from '@avs/raft-core';
import type { Compare, KvRecord, KvResult, MemberInfo } from './commands.js';
import { encodeCommand } from './commands.js';
import { CompareFailedError, KvError, MembershipError, toKvError } from './errors.js';
import { KvStateMachine } from './kv-state-machine.js';
import { ProposalWaves } from './proposal-waves.js';

/** How a read is served. */
export type ReadConsistency = 'linearizable' | 'serializable';

/** Where kv tells the transport about peers (HttpTransport has both methods; in-memory transports need neither). */
export interface PeerLinks {
  addPeer(id: string, peerUrl: string): void;
  removePeer(id: string): void;
}

/** Options of {@link KvNode.start}. */
export interface KvNodeOptions {
  readonly id: string;
  readonly storage: Storage;
  readonly transport: Transport;
  /** Addresses known from configuration (usually every founding member, this node included). */
  readonly members?: readonly MemberInfo[];
  /** Founding voters: bootstraps empty storage with them. Omit on a node that joins an existing cluster. */
  readonly bootstrap?: readonly string[];
  /** Raft and driver settings (tick length, election ticks, timeouts, snapshot interval). */
  readonly raft?: RaftNodeConfig;
  readonly links?: PeerLinks;
  readonly logger?: Logger;
}

/** What `GET /status` shows: Raft's view plus the store's. */
export interface KvNodeStatus {
  readonly id: string;
  readonly role: string;
  readonly term: number;
  /** The known leader's id, or null. */
  readonly leader: string | null;
  readonly leaderUrl: string | null;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  readonly stopped: boolean;
  /** Store revision and key count as of `applied`. */
  readonly revision: number;
  readonly keys: number;
  /** Committed entries that were not kv commands (skipped everywhere alike). */
  readonly skippedEntries: number;
}

/** A read result: the record (or null when absent) and the store revision it was read at. */
export interface KvRead {
  readonly record: KvRecord | null;
  readonly revision: number;
}

/** The membership as this node sees it. */
export interface KvMembership {
  readonly voters: readonly string[];
  readonly learners: readonly string[];
  /** Recorded addresses of every member (and of former members). */
  readonly members: readonly MemberInfo[];
}

/** One replica of the replicated key-value store. */
export class KvNode {
  private readonly known = new Map<string, MemberInfo>();
  private readonly linked = new Map<string, string>();
  private conf: ConfState;
  private readonly waves: ProposalWaves<KvResult>;

  private constructor(
    readonly id: string,
    readonly raft: RaftNode<KvResult>,
    readonly stateMachine: KvStateMachine,
    private readonly links: PeerLinks | undefined,
  ) {
    this.conf = raft.status().config;
    this.waves = new ProposalWaves((data) => raft.propose(data));
  }

  /**
   * Opens the node: bootstraps empty storage when `bootstrap` is given,
   * restores the latest snapshot, replays the log and starts Raft.
   * @throws RaftConfigError for invalid settings or inconsistent storage
   */
  static async start(options: KvNodeOptions): Promise<KvNode> {
    let node: KvNode | undefined;
    const pending: MemberInfo[] = [];
    const stateMachine = new KvStateMachine({
      onMember: (m) => (node ? node.learn(m) : pending.push(m)),
    });
    const raft = await RaftNode.create<KvResult>({
      id: options.id,
      storage: options.storage,
      transport: options.transport,
      stateMachine,
      ...(options.raft ? { config: options.raft } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.bootstrap ? { bootstrap: { voters: options.bootstrap } } : {}),
    });
    node = new KvNode(options.id, raft, stateMachine, options.links);
    for (const m of options.members ?? []) node.learn(m);
    for (const m of pending) node.learn(m);
    raft.on('conf-change', (ch) => {
      if (ch.error) return;
      if (node) node.conf = ch.confState;
      for (const c of ch.change.changes) {
        // Drop the link once the removal is applied.
        if (c.type === ConfChangeType.RemoveNode && c.nodeId !== options.id) node?.unlink(c.nodeId);
        else node?.relink(c.nodeId);
      }
    });
    await raft.start();
    return node;
  }

  private learn(m: MemberInfo): void {
    this.known.set(m.id, m);
    this.relink(m.id);
  }

  private relink(id: string): void {
    const m = this.known.get(id);
    if (!m || id === this.id || !this.links || this.linked.get(id) === m.peerUrl) return;
    this.linked.set(id, m.peerUrl);
    this.links.addPeer(id, m.peerUrl);
  }

  private unlink(id: string): void {
    if (!this.links || !this.linked.has(id)) return;
    this.linked.delete(id);
    this.links.removePeer(id);
  }

  /** The client URL of member `id`, when known (for NOT_LEADER hints). */
  clientUrl(id: string): string | undefined {
    return id ? (this.stateMachine.member(id) ?? this.known.get(id))?.clientUrl : undefined;
  }

  /**
   * Whether `id` is a current member or a known address (used to admit Raft
   * traffic, so called on every peer request: it reads a configuration kept
   * up to date by conf-change events instead of building a full status).
   */
  isKnown(id: string): boolean {
    const inConf = (conf: ConfState) =>
      conf.voters.includes(id) || conf.learners.includes(id) || conf.votersOutgoing.includes(id);
    if (this.known.has(id) || inConf(this.conf)) return true;
    // A snapshot install changes the configuration without a conf-change event: look again.
    this.conf = this.raft.status().config;
    return inConf(this.conf);
  }

  private fail(error: unknown): never {
    throw toKvError(error, (id) => this.clientUrl(id));
  }

  private async propose(command: Parameters<typeof encodeCommand>[0]): Promise<KvResult> {
    try {
      return await this.waves.submit(encodeCommand(command));
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Sets `key` to `value` once a quorum has it durably and it is applied here.
   * @throws KvNotLeaderError on a follower (with the leader hint), KvUnavailableError, KvTimeoutError
   */
  async put(key: string, value: string): Promise<Extract<KvResult, { op: 'put' }>> {
    return expectOp(await this.propose({ v: 1, op: 'put', key, value }), 'put');
  }

  /** Deletes `key`; `prev` is null when it did not exist. Errors as {@link put}. */
  async delete(key: string): Promise<Extract<KvResult, { op: 'delete' }>> {
    return expectOp(await this.propose({ v: 1, op: 'delete', key }), 'delete');
  }

  /**
   * Sets `key` to `value` only if its current value (or modRevision) is `expect`'s.
   * @throws CompareFailedError when the compare failed (nothing written); errors as {@link put}
   */
  async compareAndSet(
    key: string,
    value: string,
    expect: Compare,
  ): Promise<Extract<KvResult, { op: 'cas' }>> {
    const result = expectOp(await this.propose({ v: 1, op: 'cas', key, value, expect }), 'cas');
    if (!result.succeeded) {
      throw new CompareFailedError(
        key,
        result.current ? { value: result.current.value, modRevision: result.current.modRevision } : null,
      );
    }
    return result;
  }

  /**
   * Reads `key`. Linearizable reads first wait for a read index from the
   * leader (any node can serve them); serializable reads return this node's
   * applied state at once and may be stale.
   * @throws KvNotLeaderError when no leader is known (linearizable only), KvTimeoutError
   */
  async get(key: string, consistency: ReadConsistency = 'linearizable'): Promise<KvRead> {
    if (consistency === 'linearizable') {
      try {
        await this.raft.readIndex();
      } catch (error) {
        this.fail(error);
      }
    }
    return { record: this.stateMachine.get(key) ?? null, revision: this.stateMachine.stats().revision };
  }

  /** The membership and recorded addresses. */
  membership(): KvMembership {
    const conf = this.raft.status().config;
    const members = new Map(this.known);
    for (const m of this.stateMachine.memberList()) members.set(m.id, m);
    return {
      voters: [...conf.voters].sort(),
      learners: [...conf.learners].sort(),
      members: [...members.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    };
  }

  /**
   * Adds a member (leader only): records its addresses in the replicated
   * state, then adds it as a voter (or learner). Start the new node with no
   * bootstrap (`--join`) and the current members' addresses.
   * @throws MembershipError when the change is not allowed now; errors as {@link put}
   */
  async addMember(member: MemberInfo, options: { learner?: boolean } = {}): Promise<ConfState> {
    const conf = this.raft.status().config;
    if (conf.voters.includes(member.id) || (options.learner && conf.learners.includes(member.id))) {
      throw new MembershipError(
        `${member.id} is already a ${conf.voters.includes(member.id) ? 'voter' : 'learner'}`,
      );
    }
    const recorded = this.stateMachine.member(member.id);
    if (!recorded || recorded.peerUrl !== member.peerUrl || recorded.clientUrl !== member.clientUrl) {
      expectOp(await this.propose({ v: 1, op: 'member', member }), 'member');
    }
    const context = new TextEncoder().encode(JSON.stringify(member));
    try {
      if (options.learner) return await this.raft.addLearner(member.id, context);
      if (conf.learners.includes(member.id)) return await this.raft.promote(member.id, context);
      return await this.raft.addVoter(member.id, context);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Removes a member (leader only). Removing the leader itself makes it step down once applied.
   * @throws MembershipError when `id` is not a member; errors as {@link put}
   */
  async removeMember(id: string): Promise<ConfState> {
    const conf = this.raft.status().config;
    if (!conf.voters.includes(id) && !conf.learners.includes(id)) {
      throw new MembershipError(`${id} is not a member`);
    }
    try {
      return await this.raft.removeServer(id);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Hands leadership to `to` (default: the most up-to-date voter); resolves when it leads. */
  async transferLeadership(to?: string): Promise<void> {
    try {
      await this.raft.transferLeadership(to);
    } catch (error) {
      if (error instanceof KvError) throw error;
      if (error instanceof Error && 'code' in error && error.code === 'TRANSFER_FAILED') {
        throw new MembershipError(error.message, { cause: error });
      }
      this.fail(error);
    }
  }

  status(): KvNodeStatus {
    const s = this.raft.status();
    const stats = this.stateMachine.stats();
    return {
      id: this.id,
      role: s.role,
      term: s.term,
      leader: s.leader || null,
      leaderUrl: this.clientUrl(s.leader) ?? null,
      commit: s.commit,
      applied: s.applied,
      lastIndex: s.lastIndex,
      voters: s.config.voters,
      learners: s.config.learners,
      stopped: s.stopped,
      revision: stats.revision,
      keys: stats.keys,
      skippedEntries: stats.skipped,
    };
  }

  /** Stops Raft (pending calls fail with UNAVAILABLE) and closes the transport; the storage stays open. */
  close(): Promise<void> {
    return this.raft.close();
  }
}

function expectOp<O extends KvResult['op']>(result: KvResult, op: O): Extract<KvResult, { op: O }> {
  if (result.op !== op) {
    throw new KvError('INTERNAL', 500, `expected a ${op} result, the state machine returned ${result.op}`);
  }
  return result as Extract<KvResult, { op: O }>;
}
