import { describe, expect, it } from 'vitest';
import { CompactedError, NotLeaderError, RaftError } from './index.js';

describe('errors', () => {
  it('carry a stable code and a message that says what happened', () => {
    const e = new CompactedError(3, 10);
    expect(e).toBeInstanceOf(RaftError);
    expect(e.code).toBe('COMPACTED');
    expect(e.message).toContain('first available index is 10');
    expect(new NotLeaderError('n2').leader).toBe('n2');
  });
});
