import type { Entry } from '@avs/raft-core';
import {
  type KvBackend,
  KvStorage,
  type KvStorageOptions,
  type LoadedLog,
  type LogChange,
} from '@avs/storage-kv';
import { decodeWire, encodeWire } from './wire.js';

/**
 * A `KvBackend` whose every call runs in a Durable Object in workerd (the
 * test worker's `StorageObject` named `object`): the durable half under test
 * runs on real Durable Object storage; only the calls cross HTTP.
 */
export class RemoteBackend implements KvBackend {
  private faultNext = false;

  constructor(
    private readonly url: string,
    private readonly object: string,
    private readonly partBytes?: number,
  ) {}

  async load(tailBytes: number): Promise<LoadedLog> {
    // A fresh object each open: what the storage holds must not depend on the last one's memory.
    await resetObject(this.url, this.object);
    return this.call<LoadedLog>('load', { tailBytes, partBytes: this.partBytes });
  }

  readEntries(lo: number, hi: number, maxBytes: number): Promise<Entry[]> {
    return this.call('read', {
      lo,
      hi,
      maxBytes: Number.isFinite(maxBytes) ? maxBytes : Number.MAX_SAFE_INTEGER,
    });
  }

  async write(change: LogChange): Promise<void> {
    const fault = this.faultNext;
    this.faultNext = false;
    await this.call('write', { change, fault });
  }

  async close(): Promise<void> {}

  /** Makes the next write's transaction fail in the object after its writes (it must roll back). */
  injectFault(): void {
    this.faultNext = true;
  }

  private async call<T>(op: string, body: unknown): Promise<T> {
    const res = await fetch(`${this.url}/${op}?object=${encodeURIComponent(this.object)}`, {
      method: 'POST',
      body: encodeWire(body),
    });
    const decoded = decodeWire<{ value?: T; error?: string }>(await res.text());
    if (!res.ok) throw new Error(`durable object ${op} failed: ${decoded.error ?? res.status}`);
    return decoded.value as T;
  }
}

/** Aborts the object (its memory is lost as in a crash; its storage stays). */
export async function resetObject(url: string, object: string): Promise<void> {
  const res = await fetch(`${url}/reset?object=${encodeURIComponent(object)}`, { method: 'POST' });
  await res.arrayBuffer(); // the abort answers with an error: that is the point
}

/** A `KvStorage` on the object `object` of the worker at `url`. */
export function remoteStorage(
  url: string,
  object: string,
  options: Omit<KvStorageOptions, 'label'> = {},
): { storage: KvStorage; backend: RemoteBackend } {
  const backend = new RemoteBackend(url, object, 64 * 1024);
  return { storage: new KvStorage(backend, { ...options, label: `durable object ${object}` }), backend };
}
