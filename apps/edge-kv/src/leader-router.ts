import { MEMBER_HEADER } from './durable-object-fetch.js';
import { type EdgeKvEnv, localMembersOf } from './edge-env.js';

/** How often the router tries members before answering 503 (elections take about a second). */
const ATTEMPTS = 60;
const RETRY_DELAY_MS = 50;

/** The last leader seen, per isolate: plain data, safe to share between requests. */
let leaderHint: string | undefined;

/** Sends `request` to member `member`'s object. */
export function toMember(env: EdgeKvEnv, member: string, request: Request): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set(MEMBER_HEADER, member);
  const url = new URL(request.url);
  const forwarded = new Request(`https://${member}${url.pathname}${url.search}`, {
    method: request.method,
    headers,
    body: request.method === 'GET' || request.method === 'HEAD' ? null : request.body,
  });
  return env.RAFT.get(env.RAFT.idFromName(member)).fetch(forwarded);
}

/**
 * Sends a client request to the leader: first the last leader seen, then the
 * leader a member names (`421 NOT_LEADER`), or the next member while none is
 * known (an election is under way). Answers `503 NO_LEADER` after
 * {@link ATTEMPTS} tries. A write is only retried after a `421`, which a
 * member answers before proposing, so no write is proposed twice by the router.
 */
export async function routeToLeader(env: EdgeKvEnv, request: Request): Promise<Response> {
  // Only the objects here: a leader served elsewhere is not reachable through this Worker.
  const members = localMembersOf(env);
  const body = request.method === 'GET' ? undefined : await request.arrayBuffer();
  let next = leaderHint && members.includes(leaderHint) ? leaderHint : members[0];
  let rotate = members.indexOf(next ?? '');
  for (let attempt = 0; attempt < ATTEMPTS && next; attempt++) {
    const res = await toMember(
      env,
      next,
      new Request(request.url, {
        method: request.method,
        headers: request.headers,
        ...(body === undefined ? {} : { body }),
      }),
    );
    if (res.status !== 421) {
      if (res.ok || res.status === 404) leaderHint = next;
      return res;
    }
    const { leader } = (await res.json()) as { leader?: string };
    if (leader && members.includes(leader) && leader !== next) {
      next = leader;
      continue;
    }
    rotate = (rotate + 1) % members.length;
    next = members[rotate];
    await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
  }
  leaderHint = undefined;
  return Response.json({ code: 'NO_LEADER', message: 'no leader answered' }, { status: 503 });
}
