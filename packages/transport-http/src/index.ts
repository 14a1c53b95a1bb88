export type { RetryPolicy } from '@avs/retry';
export type { HandshakeMessage } from './auth/handshake.js';
export { handshakeMessageSchema } from './auth/handshake.js';
export type { HandshakeFields, HandshakeScheme } from './auth/handshake-scheme.js';
export {
  addressOf,
  isAddress,
  operatorKeyScheme,
  sharedSecretScheme,
  ZERO_NONCE,
} from './auth/handshake-scheme.js';
export { AUTH_HEADERS, CANONICAL_PREFIX } from './auth/request-signing.js';
export type { HandshakeDomain } from './auth/typed-data.js';
export { DOMAIN_NAME, DOMAIN_VERSION } from './auth/typed-data.js';
export { DEFAULT_RETRY } from './client/backoff.js';
export type { EndpointPolicy, HostResolver } from './client/endpoint-policy.js';
export { checkEndpoint, checkResolvedEndpoint } from './client/endpoint-policy.js';
export { guardFetch } from './client/guarded-fetch.js';
export type { HttpTransportOptions, StreamMode } from './client/http-transport.js';
export { HttpTransport } from './client/http-transport.js';
export type { FetchLike } from './client/peer-connection.js';
export type { OverflowPolicy, QueueLimits } from './client/send-queue.js';
export { DEFAULT_QUEUE_LIMITS } from './client/send-queue.js';
export type { DecodeLimits, SnapshotPart } from './codec/frame-codec.js';
export {
  DEFAULT_DECODE_LIMITS,
  decodeBatch,
  decodeSnapshotPart,
  encodeBatch,
  encodeSnapshotPart,
  FRAME_MAGIC,
  FRAME_VERSION,
  FrameKind,
} from './codec/frame-codec.js';
export {
  AuthError,
  CodecError,
  EndpointError,
  HandshakeError,
  HttpError,
  PeerResponseError,
  TransportConfigError,
  TransportError,
} from './errors.js';
export { TransportMetrics } from './metrics.js';
export type { AuthEnv, AuthOptions } from './server/auth-middleware.js';
export { declaredBodyLimit } from './server/declared-body-limit.js';
export { drainedBodyLimit } from './server/drained-body-limit.js';
export type { ErrorBody } from './server/error-response.js';
export { decodeJson, parseJson } from './server/parse-json.js';
export type { RaftServer } from './server/raft-server.js';
export { createRaftServer, FRAME_CONTENT_TYPE } from './server/raft-server.js';
export type { Membership, RaftServerOptions, ServerLimits } from './server/server-options.js';
export { DEFAULT_SERVER_LIMITS } from './server/server-options.js';
export type { SourceRateLimits } from './server/source-rate-limit.js';
export {
  DEFAULT_SOURCE_RATE_LIMITS,
  remoteAddressOf,
  SourceRateLimiter,
  sourceRateLimit,
} from './server/source-rate-limit.js';
export { wallClock } from './wall-clock.js';
