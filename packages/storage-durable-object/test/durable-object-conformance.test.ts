/**
 * `@avs/storage-testkit`'s conformance suite on Durable Object storage in
 * workerd (Miniflare 4). Every load, read and write of the backend runs in a
 * Durable Object on its real transactional storage; the suite drives it from
 * Node through `KvStorage` (the runtime-neutral in-memory half, the same code
 * as in every key-value backend) whose backend calls cross HTTP.
 *
 * Crashes: every open aborts the object first (its memory is lost, storage
 * kept), so reopen cases read only what was committed; the crash case kills
 * a writing child process at random points and aborts the object on reopen;
 * the fault case fails a transaction after its writes and checks it rolled back.
 */
import { fileURLToPath } from 'node:url';
import { describeStorageConformance } from '@avs/storage-testkit';
import { afterAll } from 'vitest';
import { remoteStorage } from './support/remote-backend.js';
import { startStorageWorker } from './support/workerd.js';

const worker = await startStorageWorker();
afterAll(() => worker.dispose());

let locations = 0;

describeStorageConformance('@avs/storage-durable-object in workerd', {
  createLocation: async () => `conformance-${process.pid}-${++locations}`,
  removeLocation: async (location) => {
    await fetch(`${worker.url}/wipe?object=${encodeURIComponent(location)}`, { method: 'POST' });
  },
  open: async (location) => remoteStorage(worker.url, location).storage,
  // 64 entries of the cold case's 1 KiB in the tail, 128 in the cold cache: most reads must load.
  openCold: async (location) =>
    remoteStorage(worker.url, location, {
      tailBytes: 64 * 1024,
      coldBytes: 128 * 1024,
      coldReadBytes: 32 * 1024,
    }).storage,
  openWithFaults: async (location) => {
    const { storage, backend } = remoteStorage(worker.url, location);
    return { storage, injectFault: () => backend.injectFault() };
  },
  crash: {
    module: fileURLToPath(new URL('./crash-open.ts', import.meta.url)),
    env: { AVS_STORAGE_WORKER_URL: worker.url },
  },
});
