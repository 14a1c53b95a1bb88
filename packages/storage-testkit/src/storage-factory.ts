import type { Storage } from '@avs/raft-core';

/**
 * How the conformance suite reaches a backend. Only {@link createLocation}
 * and {@link open} are required; the optional members turn on more cases.
 */
export interface StorageFactory {
  /**
   * Creates a fresh, empty location for one test: a directory, a table key
   * prefix, anything `open` understands. See {@link temporaryDirectories}.
   */
  createLocation(): Promise<string>;
  /** Opens (or reopens) the backend at `location`. The suite calls `initialState()` itself. */
  open(location: string): Promise<Storage>;
  /** Deletes what a test left at `location`; called after every storage the test opened is closed. */
  removeLocation?(location: string): Promise<void>;
  /**
   * Opens the backend with the smallest memory budget it supports, so reads of
   * older entries take the `UnavailableError` + `onAvailable` path. Turns on
   * the cold-read cases, which also assert that the cold path was taken.
   */
  openCold?(location: string): Promise<Storage>;
  /** Opens the backend with a fault-injection hook. Turns on the fatal-write cases. */
  openWithFaults?(location: string): Promise<FaultyStorage>;
  /** Turns on the crash cases (a child process killed with SIGKILL mid-write). */
  crash?: CrashOptions;
}

/** A storage plus a switch that makes its writes fail, as a full disk or a failed fsync would. */
export interface FaultyStorage {
  readonly storage: Storage;
  /** From now on the backend's next durable write or sync fails at the I/O layer. */
  injectFault(): void;
}

/**
 * The crash cases spawn `node <execArgv> crash-child <module> <location> <seed>`.
 * The child imports `module`, calls its {@link CrashChildModule.openStorage},
 * writes, and reports each write on stdout before and after it resolves; the
 * parent kills it with SIGKILL and checks that every acknowledged write survived.
 */
export interface CrashOptions {
  /** Absolute path or `file:` URL of a module that satisfies {@link CrashChildModule}. */
  module: string;
  /**
   * Node flags for the child. Default: `['--conditions=@avs/source', '--import', 'tsx']`
   * (so `module` and the backend may be TypeScript sources; tsx is resolved from this package).
   */
  execArgv?: readonly string[];
  /** Extra environment for the child (e.g. an endpoint). */
  env?: Readonly<Record<string, string>>;
  /** Kill-and-recover rounds per crash case; default 3. */
  rounds?: number;
}

/** What the module named by {@link CrashOptions.module} exports. */
export interface CrashChildModule {
  /** Opens the backend at `location` exactly as {@link StorageFactory.open} does. */
  openStorage(location: string): Promise<Storage>;
}

/** Names of the suite's cases, for {@link ConformanceOptions.skip}. */
export type ConformanceCase =
  | 'empty log'
  | 'append'
  | 'entries maxBytes'
  | 'overwrite conflicting suffix'
  | 'hard state'
  | 'save snapshot entries and hard state together'
  | 'install snapshot replaces log'
  | 'create snapshot keeps later entries'
  | 'compaction'
  | 'term boundaries'
  | 'compacted errors'
  | 'reopen after close'
  | 'large entries'
  | 'concurrent close'
  | 'use after close'
  | 'randomised operations with reopen'
  | 'cold reads'
  | 'fatal write refuses later writes'
  | 'crash with SIGKILL';

/** Options of {@link describeStorageConformance}. */
export interface ConformanceOptions {
  /** Cases to leave out, each with the reason shown in the test name. */
  skip?: Partial<Record<ConformanceCase, string>>;
  /** Payload size of the large-entry case; default 1.5 MiB. */
  largeEntryBytes?: number;
  /** Operations in the randomised case; default 300. */
  randomOperations?: number;
  /** Seed of the randomised case; default 1. */
  seed?: number;
}
