import { createMemoryNetwork, type Entry, ManualClock, MemoryStorage } from '@avs/raft-core';
import { describe, expect, it } from 'vitest';
import { createRaftNodeFactory } from './consensus-factory.js';
import type { ConsensusNode } from './consensus-node.js';

const stateMachine = {
  apply: (entries: readonly Entry[]) => entries.map((e) => e.data.length),
  snapshot: () => new Uint8Array(),
  restore: () => {},
};

describe('createRaftNodeFactory', () => {
  it('starts a RaftNode with the given logger and hands the engine what wrap returns', async () => {
    const clock = new ManualClock();
    const net = createMemoryNetwork({ clock });
    const lines: string[] = [];
    const log = (message: string) => {
      lines.push(message);
    };
    let wrapped: unknown;
    const factory = createRaftNodeFactory({
      logger: { debug: log, info: log, warn: log, error: log },
      wrap: <R>(node: ConsensusNode<R>): ConsensusNode<R> => {
        const proxy = new Proxy(node, {
          get(target, prop) {
            const value = Reflect.get(target, prop, target) as unknown;
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
        wrapped = proxy;
        return proxy;
      },
    });
    const node = await factory<number>({
      id: 'a',
      storage: new MemoryStorage(),
      transport: net.transport('a'),
      stateMachine,
      clock,
      settings: { tickMs: 10 },
      bootstrap: { voters: ['a'] },
    });
    // A listener that throws is logged by the node: proof the logger reached it.
    node.on('leader-change', () => {
      throw new Error('listener fails');
    });
    try {
      await clock.advance(1_000);
      expect(node.status().role).toBe('leader');
      const result = node.propose(new Uint8Array(3));
      await clock.advance(100);
      expect(await result).toBe(3);
      expect(node).toBe(wrapped);
      expect(lines).toContain('event listener threw');
    } finally {
      await node.close();
    }
  });
});
