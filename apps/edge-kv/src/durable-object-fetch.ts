import type { FetchLike } from '@avs/transport-http';

/** The part of a Durable Object namespace binding this app uses. */
export interface ObjectNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

/** URL scheme of peers that are Durable Objects of the same namespace: `do://<member>`. */
export const OBJECT_SCHEME = 'do:';

/** Header naming the member an object plays (objects cannot read their own name). */
export const MEMBER_HEADER = 'x-edge-kv-member';

/**
 * A `fetch` for `HttpTransport` that reaches `do://<member>/<path>` peers
 * through their Durable Object stubs (no public network hop), and any other
 * URL (a peer elsewhere, e.g. a Node operator) through the global `fetch`.
 * Either way the request is the transport's own: handshake and per-request
 * HMAC stay on.
 */
export function durableObjectFetch(namespace: ObjectNamespace): FetchLike {
  return async (input, init) => {
    const url = new URL(input);
    if (url.protocol !== OBJECT_SCHEME) return fetch(input, init);
    const member = url.hostname;
    const headers = new Headers(init.headers);
    headers.set(MEMBER_HEADER, member);
    const request = new Request(`https://${member}${url.pathname}${url.search}`, { ...init, headers });
    return namespace.get(namespace.idFromName(member)).fetch(request);
  };
}
