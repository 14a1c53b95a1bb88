import type { StateMachine } from '../../src/state-machine.js';
import type { Entry } from '../../src/types.js';

const dec = new TextDecoder();
const enc = new TextEncoder();

/** A state machine that records every applied command; `apply` returns the command's position. */
export class ListStateMachine implements StateMachine<number> {
  items: string[] = [];
  applyCalls = 0;
  restores = 0;

  apply(entries: readonly Entry[]): number[] {
    this.applyCalls++;
    return entries.map((e) => {
      this.items.push(dec.decode(e.data));
      return this.items.length;
    });
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify(this.items));
  }

  restore(data: Uint8Array): void {
    this.restores++;
    this.items = data.byteLength === 0 ? [] : (JSON.parse(dec.decode(data)) as string[]);
  }
}
