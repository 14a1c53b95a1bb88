import type { Role } from '../raft.js';
import type { AppliedConfChange } from '../ready.js';
import type { NodeId } from '../types.js';

/** Events a {@link RaftNode} emits, by name. */
export interface RaftNodeEventMap {
  /** The known leader changed (`leader` is `''` while none is known). */
  'leader-change': { readonly leader: NodeId; readonly term: number };
  /** This node's role changed. */
  'role-change': { readonly role: Role; readonly term: number };
  /** A membership change was applied (also on replay after a restart). */
  'conf-change': AppliedConfChange;
  /** The node stopped: `close()` was called (`error` undefined) or a fatal error happened. */
  stopped: { readonly error?: unknown };
}

/** Removes the listener it was returned for. */
export type Unsubscribe = () => void;

/** A small typed event emitter (no runtime-specific APIs). */
export class TypedEmitter<M> {
  private readonly listeners = new Map<keyof M, Set<(e: never) => void>>();

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof M>(type: K, listener: (event: M[K]) => void): Unsubscribe {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener as (e: never) => void);
    return () => set.delete(listener as (e: never) => void);
  }

  /** Calls each listener; a throwing listener is reported to `onError` and does not stop the others. */
  emit<K extends keyof M>(type: K, event: M[K], onError: (err: unknown) => void): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const l of [...set]) {
      try {
        (l as (e: M[K]) => void)(event);
      } catch (err) {
        onError(err);
      }
    }
  }
}
