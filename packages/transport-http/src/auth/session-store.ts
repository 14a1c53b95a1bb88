import type { NodeId } from '@avs/raft-core';
import { ReplayWindow } from './replay-window.js';
import type { HmacKey } from './request-signing.js';

/** A session the server accepted in a handshake. */
export interface ServerSession {
  readonly id: string;
  readonly peer: NodeId;
  readonly key: HmacKey;
  readonly expiresAt: number;
  readonly window: ReplayWindow;
}

/**
 * Sessions accepted by the server, bounded in total and per peer: the oldest
 * is evicted first, and a peer can hold only a few sessions so that one member
 * cannot push the others out.
 */
export class SessionStore {
  private readonly sessions = new Map<string, ServerSession>();
  private readonly byPeer = new Map<NodeId, string[]>();

  constructor(
    private readonly maxSessions: number,
    private readonly maxPerPeer: number,
    private readonly windowSize: number,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): ServerSession | undefined {
    return this.sessions.get(id);
  }

  add(id: string, peer: NodeId, key: HmacKey, expiresAt: number): ServerSession {
    const ids = this.byPeer.get(peer) ?? [];
    while (ids.length >= this.maxPerPeer) this.sessions.delete(ids.shift()!);
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
    const session: ServerSession = { id, peer, key, expiresAt, window: new ReplayWindow(this.windowSize) };
    this.sessions.set(id, session);
    ids.push(id);
    this.byPeer.set(peer, ids);
    return session;
  }

  /** Forgets every session of `peer` (it was removed from the cluster). */
  deletePeer(peer: NodeId): void {
    for (const id of [...(this.byPeer.get(peer) ?? [])]) this.delete(id);
  }

  /** True while `session` is stored and not expired at `now`. */
  isLive(session: ServerSession, now: number): boolean {
    return this.sessions.get(session.id) === session && session.expiresAt > now;
  }

  delete(id: string): void {
    const s = this.sessions.get(id);
    if (!s) return;
    this.sessions.delete(id);
    const ids = this.byPeer.get(s.peer);
    if (ids) {
      const i = ids.indexOf(id);
      if (i >= 0) ids.splice(i, 1);
      if (ids.length === 0) this.byPeer.delete(s.peer);
    }
  }
}

/**
 * Handshake nonces seen within the freshness window, so a captured offer
 * cannot be replayed. Bounded: entries expire with the window.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** False when `nonce` was seen and has not expired, or the cache is full of live entries. */
  add(nonce: string, now: number, expiresAt: number): 'ok' | 'replayed' | 'full' {
    const at = this.seen.get(nonce);
    if (at !== undefined && at > now) return 'replayed';
    if (this.seen.size >= this.max) {
      // Insertion order is roughly expiry order (a fixed window after a timestamp near now).
      for (const [k, exp] of this.seen) {
        if (exp > now) break;
        this.seen.delete(k);
      }
      if (this.seen.size >= this.max) return 'full';
    }
    this.seen.set(nonce, expiresAt);
    return 'ok';
  }
}
