import { type NodeId, NotLeaderError, RaftNode } from '@avs/raft-core';
import { createDurableObjectStorage, type DurableObjectStorageLike } from '@avs/storage-durable-object';
import { createRaftServer, HttpTransport, type RaftServer, sharedSecretScheme } from '@avs/transport-http';
import { AlarmClock } from './alarm-clock.js';
import { durableObjectFetch, MEMBER_HEADER, OBJECT_SCHEME } from './durable-object-fetch.js';
import {
  EDGE_KV_DOMAIN,
  type EdgeKvEnv,
  learnersOf,
  localMembersOf,
  membersOf,
  peerUrlsOf,
  votersOf,
} from './edge-env.js';
import { encodeCommand, type KvResult, KvStateMachine, kvCommandSchema } from './kv-state-machine.js';

/** What a Durable Object's `ctx` offers that a member uses. */
export interface MemberContext {
  readonly storage: DurableObjectStorageLike & {
    setAlarm(scheduledTime: number): Promise<void>;
  };
  abort(reason?: string): void;
}

/** Storage key of the member name this object plays (so an alarm-woken object knows it). */
const SELF_KEY = 'member/self';

interface Running {
  readonly name: string;
  readonly node: RaftNode<KvResult>;
  readonly server: RaftServer;
  readonly machine: KvStateMachine;
  readonly clock: AlarmClock;
}

/**
 * One member of the replicated key-value store: a Durable Object running a
 * `RaftNode` with its log in the object's storage, ticks from an
 * {@link AlarmClock}, and Raft traffic over transport-http's authenticated
 * routes (to sibling objects through their stubs, to other peers over HTTP).
 *
 * Routes: `/raft/v1/*` (peers), `PUT /kv/<key>` (body: the value),
 * `GET /kv/<key>` (linearizable), `GET /status`; with `ADMIN_ROUTES=on`,
 * `POST /admin/reset` aborts the object (memory lost, storage kept) and
 * `GET /admin/probe` tells whether the node runs without starting it.
 * A member that is not the leader answers client routes with
 * `421 { code: 'NOT_LEADER', leader }`.
 */
export class RaftMember {
  private running: Promise<Running> | undefined;

  constructor(
    private readonly ctx: MemberContext,
    private readonly env: EdgeKvEnv,
  ) {}

  /**
   * The alarm: an object evicted from memory (or aborted) is woken here and
   * resumes its node from storage, then fires the Raft timers that fell due.
   */
  async alarm(): Promise<void> {
    const self = await this.ctx.storage.get<string>(SELF_KEY);
    if (self === undefined) return;
    const running = await this.member(self);
    running.clock.onAlarm();
  }

  async fetch(request: Request): Promise<Response> {
    const name = request.headers.get(MEMBER_HEADER);
    if (!name || !localMembersOf(this.env).includes(name)) {
      return Response.json({ code: 'UNKNOWN_MEMBER', message: 'no such member' }, { status: 404 });
    }
    const url = new URL(request.url);
    if (url.pathname === '/admin/reset' && this.env.ADMIN_ROUTES === 'on') {
      this.ctx.abort('reset by /admin/reset');
    }
    if (url.pathname === '/admin/probe' && this.env.ADMIN_ROUTES === 'on') {
      // Answered without starting the node: whether something else (the alarm, a peer) started it.
      const running = this.running ? await this.running : undefined;
      return Response.json({ running: running !== undefined, role: running?.node.status().role ?? null });
    }
    let running: Running;
    try {
      running = await this.member(name);
    } catch (error) {
      return Response.json({ code: 'START_FAILED', message: String(error) }, { status: 500 });
    }
    if (url.pathname.startsWith('/raft/v1/') || url.pathname === '/health')
      return running.server.fetch(request);
    if (url.pathname === '/status') {
      const status = running.node.status();
      return Response.json({
        member: running.name,
        role: status.role,
        leader: status.leader,
        term: status.term,
        applied: status.applied,
        keys: running.machine.size,
        alarmWrites: running.clock.alarmWrites,
      });
    }
    if (url.pathname.startsWith('/kv/'))
      return this.kv(running, request, decodeURIComponent(url.pathname.slice(4)));
    return Response.json({ code: 'NOT_FOUND', message: 'no such route' }, { status: 404 });
  }

  private async kv(running: Running, request: Request, key: string): Promise<Response> {
    const { node, machine } = running;
    try {
      if (request.method === 'PUT') {
        // Checked before proposing: the state machine would skip an invalid command after it was acknowledged.
        const command = kvCommandSchema.safeParse({ op: 'put', key, value: await request.text() });
        if (!command.success) {
          const issue = command.error.issues[0];
          return Response.json(
            {
              code: 'INVALID_BODY',
              message: `${issue?.path.join('.') ?? 'body'}: ${issue?.message ?? 'invalid'}`,
            },
            { status: 400 },
          );
        }
        const { index } = await node.propose(encodeCommand(command.data));
        return Response.json({ index });
      }
      if (request.method === 'GET') {
        if (node.status().role !== 'leader') throw new NotLeaderError(node.status().leader);
        // Linearizable: a read index confirmed by a quorum, applied here before reading.
        await node.readIndex();
        const value = machine.get(key);
        return value === undefined
          ? Response.json({ code: 'NOT_FOUND', message: `no key ${key}` }, { status: 404 })
          : Response.json({ value });
      }
      return Response.json({ code: 'METHOD', message: 'GET or PUT' }, { status: 405 });
    } catch (error) {
      if (error instanceof NotLeaderError) {
        return Response.json({ code: 'NOT_LEADER', leader: error.leader }, { status: 421 });
      }
      const code = (error as { code?: unknown }).code;
      return Response.json(
        { code: typeof code === 'string' ? code : 'INTERNAL', message: String(error) },
        { status: 503 },
      );
    }
  }

  /** Starts this object's node once (as `name`), or returns the running one. */
  private member(name: string): Promise<Running> {
    // A failed start (bad configuration, storage error) is retried by the next request or alarm.
    this.running ??= this.start(name).catch((error: unknown) => {
      this.running = undefined;
      throw error;
    });
    return this.running;
  }

  private async start(name: string): Promise<Running> {
    const { env, ctx } = this;
    await ctx.storage.put({ [SELF_KEY]: name });
    const members = membersOf(env);
    const scheme = sharedSecretScheme({
      nodeId: name,
      secret: new TextEncoder().encode(env.CLUSTER_SECRET),
      domain: EDGE_KV_DOMAIN,
    });
    const isMember = (id: NodeId) => members.includes(id);
    const server = createRaftServer({ scheme, membership: { isMember } });
    const transport = new HttpTransport({ scheme, server, fetch: durableObjectFetch(env.RAFT) });
    const elsewhere = peerUrlsOf(env);
    for (const peer of members) {
      if (peer !== name) transport.addPeer(peer, elsewhere[peer] ?? `${OBJECT_SCHEME}//${peer}`);
    }
    const machine = new KvStateMachine();
    const clock = new AlarmClock(ctx.storage);
    const node = await RaftNode.start({
      id: name,
      storage: createDurableObjectStorage({ storage: ctx.storage, tailBytes: 16 << 20 }),
      transport,
      stateMachine: machine,
      clock,
      bootstrap: { voters: votersOf(env), learners: learnersOf(env) },
      config: {
        tickMs: Number(env.TICK_MS ?? 50),
        electionTick: 10,
        heartbeatTick: 1,
        snapshotEntries: 2_000,
      },
    });
    return { name, node, server, machine, clock };
  }
}
