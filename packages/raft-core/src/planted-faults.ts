/**
 * Test-only switches that re-introduce known Raft bugs, so the tests can show
 * that the deterministic simulator catches each one (a simulator that passes
 * with a planted bug proves nothing). Not exported from the package; nothing
 * outside this package's tests may set them. All default to off.
 * @internal
 */
export const plantedFaults = {
  /** Commit by counting replicas of an old-term entry (Raft paper, Figure 8). */
  countOldTermEntries: false,
  /** Send append/vote acknowledgements with `messages`, before the write that backs them is durable. */
  ackBeforeDurable: false,
  /** Answer ReadIndex from `committed` before the leader committed an entry of its term (issue #16, defect 3). */
  readBeforeOwnTermCommit: false,
  /** Apply membership entries that a later snapshot's configuration already covers (issue #16, defect 2). */
  reapplySupersededConfChanges: false,
  /**
   * A leader that applies its own removal or demotion steps down at once, without handing off, and vote
   * rejections carry no commit index (defect 4).
   */
  stepDownOnRemoval: false,
};

/** Turns every planted fault off (tests call this in `afterEach`). */
export function clearPlantedFaults(): void {
  for (const k of Object.keys(plantedFaults) as (keyof typeof plantedFaults)[]) plantedFaults[k] = false;
}
