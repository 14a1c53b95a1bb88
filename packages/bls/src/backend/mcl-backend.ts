/**
 * WebAssembly backend on `mcl-wasm` (herumi/mcl) with curve BN_SNARK1, which
 * is BN254 / alt_bn128 as EigenLayer and the EVM precompiles use it.
 *
 * Points cross the boundary as affine hex coordinates (about 10 µs each way);
 * mcl writes an Fp2 element real part first, as noble's `{ c0, c1 }` does.
 * mcl holds its curve in global state: if other code in the process
 * initialises mcl with another curve, every call here throws rather than
 * computing on the wrong curve.
 * @module
 */
import type * as Mcl from 'mcl-wasm';
import { FR_MODULUS, G1, type G1Point, G2, type G2Point } from '../curve.js';
import { BackendUnavailableError } from '../errors.js';
import type { BlsBackend, PairingG2 } from './types.js';

/** The `mcl-wasm` module, initialised or not. */
export type MclModule = typeof Mcl;

/** How many prepared G2 line tables (in WebAssembly memory, freed on eviction) are kept. */
const MAX_PREPARED = 32;

const hex = (v: bigint): string => v.toString(16);

/**
 * Initialises mcl for BN_SNARK1 (async: compiles the WebAssembly module) and
 * returns the backend. Call once; {@link initBls} does it for you.
 */
export async function createMclBackend(mcl: MclModule): Promise<BlsBackend> {
  await mcl.init(mcl.BN_SNARK1);
  const curveType = mcl.BN_SNARK1;
  const ready = (): void => {
    if (mcl.curveType !== curveType) {
      throw new BackendUnavailableError(
        `mcl-wasm was re-initialised with another curve (${mcl.curveType}); the mcl-wasm backend needs BN_SNARK1`,
      );
    }
  };

  const toG1 = (p: G1Point): Mcl.G1 => {
    const g = new mcl.G1();
    if (p.is0()) return g;
    const a = p.toAffine();
    g.setStr(`1 ${hex(a.x)} ${hex(a.y)}`, 16);
    return g;
  };
  const fromG1 = (g: Mcl.G1): G1Point => {
    const s = g.getStr(16).split(' ');
    if (s[0] === '0') return G1.ZERO;
    return G1.fromAffine({ x: BigInt(`0x${s[1]}`), y: BigInt(`0x${s[2]}`) });
  };
  // G2 keys recur (operator keys, quorum totals): their converted form is kept with them.
  const g2Cache = new WeakMap<G2Point, Mcl.G2>();
  const toG2 = (p: G2Point): Mcl.G2 => {
    const cached = g2Cache.get(p);
    if (cached) return cached;
    const g = new mcl.G2();
    if (!p.is0()) {
      const { x, y } = p.toAffine();
      g.setStr(`1 ${hex(x.c0)} ${hex(x.c1)} ${hex(y.c0)} ${hex(y.c1)}`, 16);
    }
    g2Cache.set(p, g);
    return g;
  };
  const fromG2 = (g: Mcl.G2): G2Point => {
    const s = g.getStr(16).split(' ');
    if (s[0] === '0') return G2.ZERO;
    const n = (i: number) => BigInt(`0x${s[i]}`);
    return G2.fromAffine({ x: { c0: n(1), c1: n(2) }, y: { c0: n(3), c1: n(4) } });
  };
  const toFr = (k: bigint): Mcl.Fr => {
    const fr = new mcl.Fr();
    fr.setStr(hex(((k % FR_MODULUS) + FR_MODULUS) % FR_MODULUS), 16);
    return fr;
  };

  const negG2 = new mcl.PrecomputedG2(toG2(G2.BASE.negate()));
  // Insertion order is eviction order; evicted tables are freed explicitly (they live in WebAssembly memory).
  const prepared = new Map<G2Point, Mcl.PrecomputedG2>();

  return {
    name: 'mcl-wasm',
    g1Mul(point, k) {
      ready();
      return fromG1(mcl.mul(toG1(point), toFr(k)));
    },
    g2Mul(point, k) {
      ready();
      return fromG2(mcl.mul(toG2(point), toFr(k)));
    },
    g2IsValid(point) {
      ready();
      if (point.is0()) return true;
      try {
        const g = toG2(point);
        return g.isValid() && g.isValidOrder();
      } catch {
        // mcl refuses a point off the twist (or out of the subgroup) when it is set.
        return false;
      }
    },
    pairingProductIsOne(pairs: ReadonlyArray<readonly [G1Point, PairingG2]>): boolean {
      ready();
      let f: Mcl.GT | undefined;
      for (const [g1, g2] of pairs) {
        if (g1.is0()) continue;
        if (g2 !== 'negG2' && g2.is0()) continue;
        const p = toG1(g1);
        const lines = g2 === 'negG2' ? negG2 : prepared.get(g2);
        const term = lines ? mcl.precomputedMillerLoop(p, lines) : mcl.millerLoop(p, toG2(g2 as G2Point));
        f = f === undefined ? term : mcl.mul(f, term);
      }
      if (f === undefined) return true;
      return mcl.finalExp(f).isOne();
    },
    prepareG2(point) {
      ready();
      if (point.is0() || prepared.has(point)) return;
      if (prepared.size >= MAX_PREPARED) {
        const [oldest, table] = prepared.entries().next().value as [G2Point, Mcl.PrecomputedG2];
        prepared.delete(oldest);
        table.destroy();
      }
      prepared.set(point, new mcl.PrecomputedG2(toG2(point)));
    },
  };
}
