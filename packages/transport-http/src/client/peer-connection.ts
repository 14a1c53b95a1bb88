/**
 * One peer as seen by the client: its URL, its authenticated session, and
 * signed requests to it. Opens a session with a handshake on first use and
 * again when the peer says the session is unknown or expired (e.g. it restarted).
 */
import type { Clock, NodeId } from '@avs/raft-core';
import { completeHandshake, createOffer, handshakeMessageSchema } from '../auth/handshake.js';
import type { HandshakeScheme } from '../auth/handshake-scheme.js';
import { type HmacKey, importSessionKey, signRequest } from '../auth/request-signing.js';
import type { StreamIdentity } from '../codec/stream-frame.js';
import { HandshakeError, PeerResponseError } from '../errors.js';
import type { TransportMetrics } from '../metrics.js';

/**
 * A fetch function (the global one, or a pooled one from the Node adapter).
 * `streamsRequestBodies` is true on one known to send a `ReadableStream`
 * body as it is produced (the Node pooled fetch); `stream: 'auto'` streams only then.
 */
export type FetchLike = ((input: string, init: RequestInit) => Promise<Response>) & {
  readonly streamsRequestBodies?: boolean;
};

interface ClientSession {
  readonly id: string;
  readonly key: HmacKey;
  seq: number;
  readonly expiresAt: number;
}

/** What a connection needs from its transport. */
export interface ConnectionDeps {
  readonly scheme: HandshakeScheme;
  readonly fetch: FetchLike;
  readonly clock: Clock;
  readonly metrics: TransportMetrics;
  readonly requestTimeoutMs: number;
  /** The client renews its session this long after the handshake, before the server would expire it. */
  readonly sessionRenewMs: number;
  /** Aborted when the transport closes. */
  readonly closed: AbortSignal;
}

/** Refusals after which a new session is opened and the request tried once more. */
export const RENEW_CODES: ReadonlySet<string> = new Set(['UNKNOWN_SESSION', 'SESSION_EXPIRED', 'REPLAYED']);

const NO_BYTES = new Uint8Array(0);

export async function errorOf(peer: NodeId, res: Response): Promise<PeerResponseError> {
  let code = 'UNKNOWN';
  let message = res.statusText;
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
    if (typeof body.code === 'string') code = body.code;
    if (typeof body.message === 'string') message = body.message;
  } catch {
    // Not our JSON error (a proxy, a crash page): keep the status line.
  }
  return new PeerResponseError(peer, res.status, code, message, body);
}

/** A signed-request channel to one peer. */
export class PeerConnection {
  private session: ClientSession | undefined;
  private opening: Promise<ClientSession> | undefined;

  constructor(
    readonly id: NodeId,
    readonly url: string,
    private readonly deps: ConnectionDeps,
  ) {}

  private signal(): AbortSignal {
    return AbortSignal.any([this.deps.closed, AbortSignal.timeout(this.deps.requestTimeoutMs)]);
  }

  private async handshake(): Promise<ClientSession> {
    const { scheme, clock, metrics } = this.deps;
    metrics.handshakes.initiated++;
    const pending = createOffer(scheme, this.id, Math.floor(clock.now()));
    let res: Response;
    try {
      res = await this.deps.fetch(`${this.url}/raft/v1/handshake`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(pending.offer),
        signal: this.signal(),
      });
    } catch (cause) {
      metrics.handshakes.failed++;
      throw new HandshakeError(this.id, 'the peer could not be reached', { cause });
    }
    if (!res.ok) {
      metrics.handshakes.failed++;
      const error = await errorOf(this.id, res);
      throw new HandshakeError(this.id, error.message, { cause: error });
    }
    let keys: ReturnType<typeof completeHandshake>;
    try {
      const answer = handshakeMessageSchema.parse(await res.json());
      keys = completeHandshake(scheme, pending, answer, this.id);
    } catch (cause) {
      metrics.handshakes.failed++;
      throw new HandshakeError(this.id, 'the answer is not a valid handshake message', { cause });
    }
    if (typeof keys === 'string') {
      metrics.handshakes.failed++;
      throw new HandshakeError(this.id, keys);
    }
    return {
      id: keys.sessionId,
      key: await importSessionKey(keys.key),
      seq: 0,
      expiresAt: clock.now() + this.deps.sessionRenewMs,
    };
  }

  private async currentSession(): Promise<ClientSession> {
    if (this.session && this.session.expiresAt > this.deps.clock.now()) return this.session;
    this.session = undefined;
    if (!this.opening) {
      this.opening = this.handshake().finally(() => {
        this.opening = undefined;
      });
    }
    const s = await this.opening;
    this.session = s;
    return s;
  }

  /** Forgets the session, e.g. after the peer restarted. */
  resetSession(): void {
    this.session = undefined;
  }

  /**
   * Opens a stream: one signed `POST` whose body `body(identity)` produces
   * (frames sealed for that identity). Not timed out: it lasts until the body
   * ends, `signal` aborts, or the peer answers.
   * @returns the peer's answer, any status (the caller decides)
   * @throws HandshakeError, or the fetch error
   */
  async openStream(
    path: string,
    body: (identity: StreamIdentity) => ReadableStream<Uint8Array>,
    signal: AbortSignal,
  ): Promise<Response> {
    const session = await this.currentSession();
    const seq = ++session.seq;
    const auth = await signRequest(session.key, {
      method: 'POST',
      path,
      sessionId: session.id,
      timestamp: Math.floor(this.deps.clock.now()),
      seq,
      body: NO_BYTES,
    });
    const init = {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/octet-stream' },
      body: body({ key: session.key, sessionId: session.id, openSeq: seq }),
      // WHATWG fetch requires it for a stream body; the pooled fetch ignores it.
      duplex: 'half',
      signal: AbortSignal.any([this.deps.closed, signal]),
    };
    return this.deps.fetch(this.url + path, init as RequestInit);
  }

  /**
   * Sends a signed request.
   * @returns the response (status 2xx)
   * @throws HandshakeError, PeerResponseError (non-2xx), or the fetch error
   */
  async request(method: string, path: string, body: Uint8Array, contentType: string): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.currentSession();
      const timestamp = Math.floor(this.deps.clock.now());
      const seq = ++session.seq;
      const auth = await signRequest(session.key, {
        method,
        path,
        sessionId: session.id,
        timestamp,
        seq,
        body,
      });
      const res = await this.deps.fetch(this.url + path, {
        method,
        headers: { ...auth, 'content-type': contentType },
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: body as Uint8Array<ArrayBuffer> }),
        signal: this.signal(),
      });
      if (res.ok) return res;
      const error = await errorOf(this.id, res);
      if (res.status === 401 && RENEW_CODES.has(error.peerCode) && attempt === 0) {
        if (this.session === session) this.session = undefined;
        continue;
      }
      throw error;
    }
  }
}
