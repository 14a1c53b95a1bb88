/**
 * The devnet's view of its operators: every 500 ms, each operator's status and
 * the leader's replicated task records go into the {@link DevnetState} the
 * terminal and the dashboard show.
 */
import { formatUnits } from 'ethers';
import { statusOf } from './devnet-operators.js';
import type { DevnetState } from './devnet-state.js';
import type { OperatorProcess } from './operator-process.js';

/** Observes `processes` into `state` until the returned function is called. */
export function observeOperators(state: DevnetState, processes: readonly OperatorProcess[]): () => void {
  const nameOf = (address: string) =>
    processes.find((p) => p.address === address)?.name ?? address.slice(0, 8);
  const observe = async () => {
    const views = await Promise.all(processes.map(async (p) => ({ p, s: await statusOf(p) })));
    state.setOperators(
      views.map(({ p, s }) => ({
        name: p.name,
        address: p.address,
        url: p.url,
        pid: p.pid,
        up: s !== undefined,
        role: s?.role ?? (p.running ? 'starting' : 'down'),
        term: s?.term ?? 0,
        leaderId: s ? nameOf(s.leaderId) : '',
        commit: s?.commit ?? 0,
        applied: s?.applied ?? 0,
        restarts: p.restarts,
      })),
    );
    for (const { s } of views) {
      if (s?.role !== 'leader') continue;
      for (const record of s.recentTasks) {
        const task = state.task(record.taskIndex);
        if (!task) continue;
        if (record.aggregate) {
          task.signers = record.aggregate.signers.length;
          task.signedStake = record.aggregate.signedStake
            .map((w) => formatUnits(w, 18).replace(/\.0$/, ''))
            .join(' / ');
          if (task.status === 'sent' || task.status === 'created') task.status = 'aggregated';
          const at = record.aggregate.aggregatedAtMs;
          if (at === undefined) state.markAnswered(record.taskIndex);
          else state.markAggregated(record.taskIndex, at);
        }
        if (record.status === 'expired' || record.status === 'failed')
          state.markFinal(record.taskIndex, record.status);
      }
    }
  };
  let observing = false;
  const timer = setInterval(() => {
    if (observing) return;
    observing = true;
    observe().finally(() => {
      observing = false;
    });
  }, 500);
  return () => clearInterval(timer);
}
