import type { DevnetSnapshot } from './devnet-state.js';

const fmt = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '–');

/** One line of terminal progress: leader and term, task counts, latency, operators. */
export function progressLine(s: DevnetSnapshot): string {
  const leader = s.operators.find((o) => o.role === 'leader' && o.up);
  const seconds = Math.round((s.nowMs - s.startedAtMs) / 1000);
  const ops = s.operators.map((o) => `${o.name}:${o.up ? o.role[0]?.toUpperCase() : 'x'}`).join(' ');
  return [
    `[${String(seconds).padStart(4)}s]`,
    `leader ${leader ? `${leader.name} term ${leader.term}` : '(electing)'}`,
    `tasks created ${s.totals.created} answered ${s.totals.answered} verified ${s.totals.verified} expired ${s.totals.expired}`,
    `latency p50 ${fmt(s.latency.p50)} p99 ${fmt(s.latency.p99)}`,
    `${s.throughput.toFixed(1)}/s`,
    ops,
  ].join(' | ');
}
