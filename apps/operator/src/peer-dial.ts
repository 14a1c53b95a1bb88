/**
 * The operator's `cluster.dialUrls`: peers reached at another address than
 * the one they registered (NAT, docker, a proxy).
 */

/** The origin of a URL (`http://host:port`), or undefined when it is not a URL. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/**
 * A dialler for the engine's HTTP transport (`dialUrl`): a URL whose origin is
 * a key of `dialUrls` is dialled at the mapped origin, path kept; any other
 * URL as it is.
 * @param dialUrls registered origin to the origin to dial (trailing slashes ignored)
 * @returns the function mapping a peer URL to the URL to dial
 */
export function peerDialer(dialUrls: Readonly<Record<string, string>>): (url: string) => string {
  const routes = new Map<string, string>();
  for (const [from, to] of Object.entries(dialUrls)) {
    const origin = originOf(from);
    const target = originOf(to);
    if (origin !== undefined && target !== undefined) routes.set(origin, target);
  }
  return (url) => {
    const origin = originOf(url);
    const target = origin === undefined ? undefined : routes.get(origin);
    return target === undefined ? url : `${target}${url.slice(origin!.length)}`;
  };
}
