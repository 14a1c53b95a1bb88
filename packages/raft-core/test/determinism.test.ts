import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { runSimulation } from './sim/simulator.js';

const sources = import.meta.glob<string>('../src/**/*.ts', { query: '?raw', import: 'default', eager: true });
const core = Object.entries(sources).filter(([path]) => !path.endsWith('.test.ts'));

/** Strips comments and string literals so only code is checked. */
function code(src: string): string {
  return src
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`/g, "''");
}

describe('determinism and portability of src', () => {
  it('reads the sources', () => {
    expect(core.length).toBeGreaterThan(20);
  });

  it('no Math.random, Date, process, Buffer or node: imports anywhere in src', () => {
    for (const [path, src] of core) {
      const c = code(src);
      expect(c, path).not.toMatch(/Math\.random/);
      expect(c, path).not.toMatch(/\bDate\b/);
      expect(c, path).not.toMatch(/\bprocess\./);
      expect(c, path).not.toMatch(/\bBuffer\b/);
      expect(src, path).not.toMatch(/from 'node:/);
    }
  });

  it('runtime timers only in the injected default clock', () => {
    for (const [path, src] of core) {
      // system-clock is the sanctioned default; clock.ts and manual-clock.ts declare/define a `setTimeout` method.
      if (/node\/(system-clock|clock|manual-clock)\.ts$/.test(path)) continue;
      const c = code(src);
      expect(c, path).not.toMatch(/(?<![.\w])(setTimeout|setInterval|setImmediate)\(/);
    }
  });

  it('no async code in the core state machine (only the driver and the in-memory helpers are async)', () => {
    // The driver, the in-memory helpers and the async contracts (Storage, Transport, StateMachine).
    const asyncAllowed =
      /(node\/|memory-storage|memory-network|\/storage\.ts$|\/transport\.ts$|\/state-machine\.ts$)/;
    for (const [path, src] of core) {
      if (asyncAllowed.test(path)) continue;
      expect(code(src), path).not.toMatch(/\basync\b|\bawait\b|Promise/);
    }
  });

  it('the same seed gives the same run', () => {
    expect(runSimulation({ seed: 4242, shape: 4 })).toEqual(runSimulation({ seed: 4242, shape: 4 }));
  });

  it('public exports are deliberate', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "CompactedError",
        "ConfChangeTransition",
        "ConfChangeType",
        "EMPTY_CONF_STATE",
        "EMPTY_HARD_STATE",
        "EMPTY_SNAPSHOT_METADATA",
        "EntryType",
        "InvalidConfChangeError",
        "LeadershipTransferError",
        "ManualClock",
        "MemoryStorage",
        "MemoryTransport",
        "MessageType",
        "NONE",
        "NodeStoppedError",
        "NotLeaderError",
        "OutcomeUnknownError",
        "ProposalDroppedError",
        "RAFT_CONFIG_DEFAULTS",
        "RAFT_NODE_DEFAULTS",
        "RaftConfigError",
        "RaftError",
        "RaftNode",
        "RaftTimeoutError",
        "RaftUsageError",
        "RawNode",
        "StorageClosedError",
        "StorageFatalError",
        "UnavailableError",
        "bootstrapStorage",
        "createMemoryNetwork",
        "createSeededRandom",
        "decodeConfChange",
        "encodeConfChange",
        "hardStateEqual",
        "isEmptyHardState",
        "silentLogger",
        "sleep",
        "systemClock",
      ]
    `);
  });
});
