/**
 * A fetch that checks each URL's resolved addresses against an endpoint
 * policy before dialling. `checkEndpoint` at `addPeer` sees only the URL: a
 * registered DNS name could point at the operator's own network, and its
 * answer can change later, so the check runs again at every dial (resolutions
 * are cached briefly by the resolver, see `createDnsResolver`).
 */
import { checkResolvedEndpoint, type EndpointPolicy } from './endpoint-policy.js';
import type { FetchLike } from './peer-connection.js';

const GUARDED = Symbol('endpoint-guarded');

/**
 * `fetch` behind {@link checkResolvedEndpoint}, or `fetch` itself when the policy has no resolver
 * (or it is guarded already). Keeps `streamsRequestBodies`.
 * @returns a fetch that rejects with EndpointError, without dialling, for a refused address
 */
export function guardFetch(fetch: FetchLike, policy: EndpointPolicy | undefined): FetchLike {
  if (!policy?.resolve || (fetch as { [GUARDED]?: true })[GUARDED]) return fetch;
  const guarded = async (input: string, init: RequestInit) => {
    await checkResolvedEndpoint(input, policy);
    return fetch(input, init);
  };
  return Object.assign(guarded, {
    [GUARDED]: true as const,
    ...(fetch.streamsRequestBodies === undefined ? {} : { streamsRequestBodies: fetch.streamsRequestBodies }),
  });
}
