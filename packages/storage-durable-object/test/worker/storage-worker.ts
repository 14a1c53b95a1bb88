/**
 * The worker of the conformance tests: one Durable Object per storage
 * location, each running a real {@link DurableObjectBackend} on its own
 * transactional storage in workerd. Node drives it over HTTP:
 * `POST /<op>?object=<name>` with a wire-encoded body, `op` one of `load`,
 * `read`, `write` (with `fault: true` its transaction fails after its
 * writes, so it must roll back), `reset` (the object aborts: its memory is
 * gone, as after a crash; its storage stays) and `wipe` (delete everything).
 */
import type { LogChange } from '@avs/storage-kv';
import {
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

  private open(): DurableObjectBackend {
    if (!this.backend) throw new Error('not loaded');
    return this.backend;
  }
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
