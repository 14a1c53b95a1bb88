import { z } from 'zod';
import { InvalidArgumentError } from './errors.js';
import type { OperatorEndpoints } from './operator-registry-reader.js';

const endpointUrl = z
  .url()
  .max(256)
  .refine((u) => /^[\x21-\x7e]+$/.test(u), 'printable ASCII without spaces');

/** zod schema of {@link OperatorEndpoints}: absolute URLs, at most 256 characters, no whitespace. */
export const operatorEndpointsSchema = z.object({ raftUrl: endpointUrl, httpUrl: endpointUrl });

/**
 * Validates and normalises endpoints to the form stored on-chain (WHATWG URL serialisation, so
 * "HTTP://Host:80/" and "http://host" compare equal in the registry's uniqueness check).
 * @throws InvalidArgumentError
 */
export function normalizeEndpoints(endpoints: OperatorEndpoints): OperatorEndpoints {
  const parsed = operatorEndpointsSchema.safeParse(endpoints);
  if (!parsed.success) throw new InvalidArgumentError(`invalid endpoints: ${parsed.error.message}`);
  const norm = (u: string) => {
    const href = new URL(u).href;
    return href.endsWith('/') && new URL(u).pathname === '/' ? href.slice(0, -1) : href;
  };
  return { raftUrl: norm(parsed.data.raftUrl), httpUrl: norm(parsed.data.httpUrl) };
}
