import { describe, expect, it } from 'vitest';
import * as bun from './adapters/bun.js';
import * as deno from './adapters/deno.js';
import * as node from './adapters/node-entry.js';
import * as api from './index.js';

describe('public API', () => {
  it('exports exactly these names (change deliberately)', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "AUTH_HEADERS",
        "AuthError",
        "CANONICAL_PREFIX",
        "CodecError",
        "DEFAULT_DECODE_LIMITS",
        "DEFAULT_QUEUE_LIMITS",
        "DEFAULT_RETRY",
        "DEFAULT_SERVER_LIMITS",
        "DEFAULT_SOURCE_RATE_LIMITS",
        "DOMAIN_NAME",
        "DOMAIN_VERSION",
        "EndpointError",
        "FRAME_CONTENT_TYPE",
        "FRAME_MAGIC",
        "FRAME_VERSION",
        "FrameKind",
        "HandshakeError",
        "HttpError",
        "HttpTransport",
        "PeerResponseError",
        "SourceRateLimiter",
        "TransportConfigError",
        "TransportError",
        "TransportMetrics",
        "ZERO_NONCE",
        "addressOf",
        "checkEndpoint",
        "checkResolvedEndpoint",
        "createRaftServer",
        "declaredBodyLimit",
        "decodeBatch",
        "decodeJson",
        "decodeSnapshotPart",
        "drainedBodyLimit",
        "encodeBatch",
        "encodeSnapshotPart",
        "guardFetch",
        "handshakeMessageSchema",
        "isAddress",
        "operatorKeyScheme",
        "parseJson",
        "remoteAddressOf",
        "sharedSecretScheme",
        "sourceRateLimit",
        "wallClock",
      ]
    `);
    expect(Object.keys(node).sort()).toEqual([
      'FREE_PORT_RANGE',
      'NoFreePortError',
      'canListen',
      'createDnsResolver',
      'createPooledFetch',
      'findFreePort',
      'findFreePortBlock',
      'isAddressInUse',
      'serveNode',
    ]);
    expect(Object.keys(bun)).toEqual(['serveBun']);
    expect(Object.keys(deno)).toEqual(['serveDeno']);
  });

  it('gives every error class a literal name and a stable code', () => {
    const errors = [
      new api.CodecError('x'),
      new api.HttpError(400, 'INVALID_BODY', 'x'),
      new api.AuthError(401, 'UNSIGNED', 'x'),
      new api.HandshakeError('p', 'x'),
      new api.PeerResponseError('p', 409, 'SNAPSHOT_OFFSET', 'x'),
      new api.TransportConfigError('x'),
    ];
    expect(errors.map((e) => [e.name, e.code])).toEqual([
      ['CodecError', 'MALFORMED_FRAME'],
      ['HttpError', 'INVALID_BODY'],
      ['AuthError', 'UNSIGNED'],
      ['HandshakeError', 'HANDSHAKE_FAILED'],
      ['PeerResponseError', 'PEER_REJECTED'],
      ['TransportConfigError', 'INVALID_CONFIG'],
    ]);
    for (const e of errors) expect(e).toBeInstanceOf(api.TransportError);
  });
});
