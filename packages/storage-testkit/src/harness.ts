import type { InitialState, Storage } from '@avs/raft-core';
import { expect } from 'vitest';
import type { LogModel } from './log-model.js';
import { expectedState, observe, plainSnapshot } from './model-check.js';
import type { StorageFactory } from './storage-factory.js';
import { StorageReader } from './storage-reader.js';

/** A storage the suite opened, with its reader and what `initialState()` returned. */
export interface OpenedStorage {
  readonly storage: Storage;
  readonly reader: StorageReader;
  readonly initial: InitialState;
}

/** How to open a storage: through `open` or `openCold`. */
export type OpenMode = 'normal' | 'cold';

/**
 * One test's location and every storage opened on it; {@link cleanup} closes
 * them all and removes the location.
 */
export class Harness {
  private readonly opened: Storage[] = [];

  private constructor(
    readonly factory: StorageFactory,
    readonly location: string,
    readonly mode: OpenMode,
  ) {}

  /** Creates a fresh location. */
  static async create(factory: StorageFactory, mode: OpenMode = 'normal'): Promise<Harness> {
    return new Harness(factory, await factory.createLocation(), mode);
  }

  /** Opens the backend at this location and calls `initialState()`. */
  async open(): Promise<OpenedStorage> {
    const { factory } = this;
    const storage =
      this.mode === 'cold' && factory.openCold
        ? await factory.openCold(this.location)
        : await factory.open(this.location);
    return this.adopt(storage);
  }

  /** Registers a storage opened elsewhere (e.g. by `openWithFaults`) and calls `initialState()`. */
  async adopt(storage: Storage): Promise<OpenedStorage> {
    this.opened.push(storage);
    const reader = new StorageReader(storage);
    const initial = await storage.initialState();
    return { storage, reader, initial };
  }

  /** Closes `opened` and opens the location again. */
  async reopen(opened: OpenedStorage): Promise<OpenedStorage> {
    await opened.storage.close();
    return this.open();
  }

  /** Closes every storage opened here (errors ignored: the test has its verdict) and removes the location. */
  async cleanup(): Promise<void> {
    for (const storage of this.opened) {
      try {
        await storage.close();
      } catch {
        // A storage that failed on purpose may refuse to close cleanly.
      }
    }
    await this.factory.removeLocation?.(this.location);
  }
}

/**
 * Asserts that `opened` shows exactly what `model` holds: indexes, the term
 * before the first entry, every entry, the snapshot.
 */
export async function expectMatches(opened: OpenedStorage, model: LogModel): Promise<void> {
  expect(await observe(opened.reader)).toEqual(expectedState(model));
}

/** Asserts that a freshly opened storage's `initialState()` matches `model`. */
export function expectInitialState(opened: OpenedStorage, model: LogModel): void {
  expect({ ...opened.initial.hardState }).toEqual({ ...model.hardState });
  expect(
    plainSnapshot({ metadata: opened.initial.snapshotMetadata, data: new Uint8Array(0) }).metadata,
  ).toEqual(plainSnapshot(model.snapshot).metadata);
}

/** Asserts that a synchronous call throws a Raft error with `code`. */
export function expectThrowsCode(call: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a throw with code ${code}`).toBeInstanceOf(Error);
  expect(thrown).toMatchObject({ code });
}
