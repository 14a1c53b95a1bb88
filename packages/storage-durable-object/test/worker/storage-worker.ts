/**
 * The worker of the conformance tests: one Durable Object per storage
 * location, each running a real {@link DurableObjectBackend} on its own
 * transactional storage in workerd. Node drives it over HTTP:
 * `POST /<op>?object=<name>` with a wire-encoded body, `op` one of `load`,
 * `read`, `write` (with `fault: true` its transaction fails after its
 * writes, so it must roll back), `reset` (the object aborts: its memory is
 * gone, as after a crash; its storage stays) and `wipe` (delete everything).
 *
 * The whole `Storage` in the object (`KvStorage` and the backend, as a
 * `RaftNode` in an object uses them), under the prefix `full/`:
 * `full-apply` replays recorded `save`/`createSnapshot`/`compact` calls in
 * order, `full-observe` answers everything the storage shows (hard state,
 * indexes, every entry and the snapshot, payloads as `<length>:<sha256>`).
 */
import type { Entry, Snapshot, Storage } from '@avs/raft-core';
import type { LogChange } from '@avs/storage-kv';
import {
  createDurableObjectStorage,
  DurableObjectBackend,
  type DurableObjectKvOperations,
  type DurableObjectStorageLike,
} from '../../src/index.js';
import { decodeWire, encodeWire } from '../support/wire.js';

interface ObjectState {
  readonly storage: DurableObjectStorageLike & { deleteAll(): Promise<void> };
  abort(reason?: string): void;
}

interface Env {
  readonly OBJECTS: {
    idFromName(name: string): unknown;
    get(id: unknown): { fetch(request: Request): Promise<Response> };
  };
}

/** Storage whose next transaction throws after its closure wrote everything: a failed commit. */
function faultyStorage(storage: DurableObjectStorageLike, armed: () => boolean): DurableObjectStorageLike {
  return {
    get: storage.get.bind(storage) as DurableObjectStorageLike['get'],
    list: storage.list.bind(storage),
    put: storage.put.bind(storage),
    delete: storage.delete.bind(storage),
    transaction: <T>(closure: (txn: DurableObjectKvOperations) => Promise<T>) =>
      storage.transaction(async (txn) => {
        const result = await closure(txn);
        if (armed()) throw new Error('injected fault: the transaction fails after its writes');
        return result;
      }),
  };
}

export class StorageObject {
  private backend: DurableObjectBackend | undefined;
  private fault = false;
  private full: Promise<{ storage: Storage; hardState: unknown }> | undefined;

  constructor(private readonly ctx: ObjectState) {}

  async fetch(request: Request): Promise<Response> {
    const op = new URL(request.url).pathname.slice(1);
    const body = decodeWire<Record<string, unknown>>((await request.text()) || '{}');
    try {
      switch (op) {
        case 'load': {
          const storage = faultyStorage(this.ctx.storage, () => this.fault);
          this.backend = new DurableObjectBackend(storage, 'raft/', Number(body.partBytes ?? 96 * 1024));
          return reply(await this.backend.load(Number(body.tailBytes)));
        }
        case 'read':
          return reply(
            await this.open().readEntries(Number(body.lo), Number(body.hi), Number(body.maxBytes)),
          );
        case 'write':
          this.fault = body.fault === true;
          try {
            await this.open().write(body.change as unknown as LogChange);
          } finally {
            this.fault = false;
          }
          return reply(null);
        case 'full-apply': {
          const { storage } = await this.openFull();
          for (const [method, arg] of body.calls as [string, unknown][]) {
            if (method === 'save') await storage.save(arg as Parameters<Storage['save']>[0]);
            else if (method === 'createSnapshot') await storage.createSnapshot(arg as Snapshot);
            else if (method === 'compact') await storage.compact(arg as number);
            else throw new Error(`unknown call ${method}`);
          }
          return reply(null);
        }
        case 'full-observe': {
          const { storage, hardState } = await this.openFull();
          return reply(await observeFull(storage, hardState));
        }
        case 'reset':
          this.ctx.abort('reset by the test');
          return reply(null);
        case 'wipe':
          await this.ctx.storage.deleteAll();
          return reply(null);
        default:
          return new Response(`unknown op ${op}`, { status: 404 });
      }
    } catch (error) {
      return new Response(encodeWire({ error: String(error) }), { status: 500 });
    }
  }

  private openFull(): Promise<{ storage: Storage; hardState: unknown }> {
    this.full ??= (async () => {
      const storage = createDurableObjectStorage({
        storage: this.ctx.storage,
        prefix: 'full/',
        partBytes: 64 * 1024,
      });
      const { hardState } = await storage.initialState();
      return { storage, hardState };
    })();
    return this.full;
  }

  private open(): DurableObjectBackend {
    if (!this.backend) throw new Error('not loaded');
    return this.backend;
  }
}

async function digest(data: Uint8Array): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return `${data.byteLength}:${[...hash].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** What the storage shows, in the form of the testkit's `expectedState` (plus the hard state it opened with). */
async function observeFull(storage: Storage, hardState: unknown): Promise<unknown> {
  const firstIndex = storage.firstIndex();
  const lastIndex = storage.lastIndex();
  // The whole log is in the tail (64 MiB budget), so reads never answer Unavailable here.
  const entries: Entry[] =
    lastIndex >= firstIndex ? storage.entries(firstIndex, lastIndex + 1, Number.MAX_SAFE_INTEGER) : [];
  const snapshot = storage.snapshot();
  const { index, term, confState } = snapshot.metadata;
  return {
    hardState,
    firstIndex,
    lastIndex,
    offsetTerm: storage.term(firstIndex - 1),
    entries: await Promise.all(
      entries.map(async (e) => ({ index: e.index, term: e.term, type: e.type, data: await digest(e.data) })),
    ),
    snapshot: {
      metadata: {
        index,
        term,
        confState: {
          voters: [...confState.voters],
          learners: [...confState.learners],
          votersOutgoing: [...confState.votersOutgoing],
          learnersNext: [...confState.learnersNext],
          autoLeave: confState.autoLeave,
        },
      },
      data: await digest(snapshot.data),
    },
  };
}

function reply(value: unknown): Response {
  return new Response(encodeWire({ value }));
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).searchParams.get('object') ?? '';
    return env.OBJECTS.get(env.OBJECTS.idFromName(name)).fetch(request);
  },
};
