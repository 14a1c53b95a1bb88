/**
 * edge-kv: a replicated key-value store whose members are Durable Objects
 * (`RaftMember`), behind a Worker that routes each client request to the leader.
 *
 * - `PUT /kv/<key>` (body: the value) → `{ index }` once committed and applied;
 * - `GET /kv/<key>` → `{ value }` (linearizable: a read index confirmed by a quorum) or 404;
 * - `GET /health`;
 * - `/members/<name>/raft/v1/*`: Raft traffic from members served elsewhere (`PEER_URLS`) to object `<name>`,
 *   authenticated by the transport like traffic between the objects;
 * - with `ADMIN_ROUTES=on` (tests, local dev): `GET /admin/status` (every member's role, term, applied index),
 *   `POST /admin/reset?member=<name>` (abort that object: memory lost, storage kept),
 *   `GET /admin/probe?member=<name>` (whether its node runs, without starting it).
 */
import { type EdgeKvEnv, localMembersOf } from './edge-env.js';
import { routeToLeader, toMember } from './leader-router.js';

export { RaftMember } from './raft-member.js';

export default {
  async fetch(request: Request, env: EdgeKvEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/kv/') && url.pathname.length > 4) return routeToLeader(env, request);
    if (url.pathname === '/health') return Response.json({ status: 'ok' });
    const peerRoute = /^\/members\/([^/]+)(\/raft\/v1\/.*)$/.exec(url.pathname);
    if (peerRoute) {
      // Raft traffic from members elsewhere, to one object. The transport authenticates it (the
      // signature covers the path the member sees, so the prefix is dropped before signing checks).
      const [, member = '', path = ''] = peerRoute;
      if (!localMembersOf(env).includes(member))
        return Response.json({ code: 'UNKNOWN_MEMBER' }, { status: 404 });
      return toMember(env, member, new Request(`${url.origin}${path}${url.search}`, request));
    }
    if (env.ADMIN_ROUTES === 'on' && url.pathname === '/admin/status') {
      const statuses = await Promise.all(
        localMembersOf(env).map(async (member) => {
          const res = await toMember(env, member, new Request(`${url.origin}/status`));
          return res.ok ? res.json() : { member, error: res.status };
        }),
      );
      return Response.json(statuses);
    }
    if (env.ADMIN_ROUTES === 'on' && url.pathname === '/admin/probe') {
      const member = url.searchParams.get('member') ?? '';
      if (!localMembersOf(env).includes(member))
        return Response.json({ code: 'UNKNOWN_MEMBER' }, { status: 404 });
      return toMember(env, member, new Request(`${url.origin}/admin/probe`));
    }
    if (env.ADMIN_ROUTES === 'on' && url.pathname === '/admin/reset' && request.method === 'POST') {
      const member = url.searchParams.get('member') ?? '';
      if (!localMembersOf(env).includes(member))
        return Response.json({ code: 'UNKNOWN_MEMBER' }, { status: 404 });
      const res = await toMember(
        env,
        member,
        new Request(`${url.origin}/admin/reset`, { method: 'POST' }),
      ).catch((error: unknown) => ({ status: 500, error: String(error) }));
      // The abort answers with an error: that is the reset.
      return Response.json({ reset: member, status: res.status });
    }
    return Response.json({ code: 'NOT_FOUND', message: 'no such route' }, { status: 404 });
  },
};
