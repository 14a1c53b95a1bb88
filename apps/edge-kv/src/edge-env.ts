import type { HandshakeDomain } from '@avs/transport-http';
import * as z from 'zod/mini';
import type { ObjectNamespace } from './durable-object-fetch.js';

/** The bindings of the edge-kv worker (see wrangler.toml). */
export interface EdgeKvEnv {
  /** The Durable Object namespace of the members. */
  readonly RAFT: ObjectNamespace;
  /** Cluster secret (≥ 32 bytes): members authenticate with it. A wrangler secret in production. */
  readonly CLUSTER_SECRET: string;
  /** Comma-separated names of the voting members, e.g. `kv-1,kv-2,kv-3`. */
  readonly MEMBERS: string;
  /** Optional comma-separated names of non-voting members (learners), e.g. a replica elsewhere. */
  readonly LEARNERS?: string;
  /** Optional JSON `{ member: url }` of members served elsewhere (authenticated HTTP). */
  readonly PEER_URLS?: string;
  /** Raft tick, ms (default 50). */
  readonly TICK_MS?: string;
  /** `on` enables `/admin/*` (reset a member, status): tests and local dev only. */
  readonly ADMIN_ROUTES?: string;
}

function names(list: string | undefined): string[] {
  return (list ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
}

/** The voting members, in order. */
export function votersOf(env: EdgeKvEnv): string[] {
  return names(env.MEMBERS);
}

/** The non-voting members. */
export function learnersOf(env: EdgeKvEnv): string[] {
  return names(env.LEARNERS);
}

/** Every member, voters first. */
export function membersOf(env: EdgeKvEnv): string[] {
  return [...votersOf(env), ...learnersOf(env)];
}

/** The members that are Durable Objects here (not served elsewhere per `PEER_URLS`). */
export function localMembersOf(env: EdgeKvEnv): string[] {
  const elsewhere = peerUrlsOf(env);
  return membersOf(env).filter((m) => elsewhere[m] === undefined);
}

const peerUrlsSchema = z.record(z.string(), z.url({ protocol: /^https?$/ }));

/**
 * Members served elsewhere, by name.
 * @throws a zod error when `PEER_URLS` is not a JSON object of http(s) URLs
 */
export function peerUrlsOf(env: EdgeKvEnv): Record<string, string> {
  if (!env.PEER_URLS) return {};
  return peerUrlsSchema.parse(JSON.parse(env.PEER_URLS));
}

/** The handshake domain of the cluster: edge-kv is not bound to a chain. */
export const EDGE_KV_DOMAIN: HandshakeDomain = {
  chainId: 0,
  verifyingContract: `0x${'00'.repeat(20)}`,
  clusterId: `0x${'ed'.repeat(32)}`,
};
