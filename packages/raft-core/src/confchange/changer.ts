import { InvalidConfChangeError } from '../errors.js';
import { Progress } from '../tracker/progress.js';
import type { TrackerConfig } from '../tracker/tracker.js';
import { cloneTrackerConfig, emptyTrackerConfig } from '../tracker/tracker.js';
import type { ConfChange, ConfChangeSingle, ConfState, NodeId } from '../types.js';
import { ConfChangeTransition, ConfChangeType } from '../types.js';

/** A configuration and the progress map that goes with it. */
export interface ChangeResult {
  readonly config: TrackerConfig;
  readonly progress: Map<NodeId, Progress>;
}

/** Settings new {@link Progress} objects are created with. */
export interface ProgressSettings {
  readonly maxInflight: number;
  readonly maxInflightBytes: number;
  /** The leader's last log index; new members are probed from there. */
  readonly lastIndex: number;
}

/** Whether a change leaves a joint configuration (an empty change list with the Auto transition). */
export function isLeaveJoint(cc: ConfChange): boolean {
  return cc.changes.length === 0 && cc.transition === ConfChangeTransition.Auto;
}

/**
 * Whether a change enters a joint configuration, and if so whether it is left
 * automatically. Several changes, or an explicit joint transition, go through
 * joint consensus (raft thesis 4.3); a single change is a simple change.
 */
export function entersJoint(cc: ConfChange): { joint: boolean; autoLeave: boolean } {
  const joint = cc.transition !== ConfChangeTransition.Auto || cc.changes.length > 1;
  const autoLeave =
    cc.transition === ConfChangeTransition.Auto || cc.transition === ConfChangeTransition.JointImplicit;
  return { joint, autoLeave: joint && autoLeave };
}

/**
 * Computes the configuration after `cc` without touching the inputs.
 * @throws InvalidConfChangeError when the change is not allowed from `config`.
 */
export function applyConfChange(
  config: TrackerConfig,
  progress: ReadonlyMap<NodeId, Progress>,
  cc: ConfChange,
  settings: ProgressSettings,
): ChangeResult {
  const joint = config.votersOutgoing.size > 0;
  if (isLeaveJoint(cc)) {
    if (!joint) throw new InvalidConfChangeError('cannot leave a joint configuration: not in one');
    return leaveJoint(config, progress);
  }
  const { joint: enter, autoLeave } = entersJoint(cc);
  if (joint)
    throw new InvalidConfChangeError('the configuration is joint; leave it before changing it again');
  const cfg = cloneTrackerConfig(config);
  const prs = new Map(progress);
  if (enter) {
    if (cfg.voters.size === 0)
      throw new InvalidConfChangeError('cannot enter a joint configuration from zero voters');
    for (const id of cfg.voters) cfg.votersOutgoing.add(id);
    applyChanges(cfg, prs, cc.changes, settings);
    cfg.autoLeave = autoLeave;
  } else {
    applyChanges(cfg, prs, cc.changes, settings);
    let diff = 0;
    for (const id of cfg.voters) if (!config.voters.has(id)) diff++;
    for (const id of config.voters) if (!cfg.voters.has(id)) diff++;
    if (diff > 1) throw new InvalidConfChangeError('more than one voter changed without joint consensus');
  }
  checkInvariants(cfg, prs);
  return { config: cfg, progress: prs };
}

function leaveJoint(config: TrackerConfig, progress: ReadonlyMap<NodeId, Progress>): ChangeResult {
  const cfg = cloneTrackerConfig(config);
  const prs = new Map(progress);
  for (const id of cfg.learnersNext) {
    cfg.learners.add(id);
    const pr = prs.get(id);
    if (pr) pr.isLearner = true;
  }
  cfg.learnersNext.clear();
  for (const id of cfg.votersOutgoing) {
    if (!cfg.voters.has(id) && !cfg.learners.has(id)) prs.delete(id);
  }
  cfg.votersOutgoing.clear();
  cfg.autoLeave = false;
  checkInvariants(cfg, prs);
  return { config: cfg, progress: prs };
}

function applyChanges(
  cfg: TrackerConfig,
  prs: Map<NodeId, Progress>,
  changes: readonly ConfChangeSingle[],
  settings: ProgressSettings,
): void {
  for (const c of changes) {
    if (c.nodeId === '') throw new InvalidConfChangeError('node id must not be empty');
    switch (c.type) {
      case ConfChangeType.AddVoter:
        makeVoter(cfg, prs, c.nodeId, settings);
        break;
      case ConfChangeType.AddLearner:
        makeLearner(cfg, prs, c.nodeId, settings);
        break;
      case ConfChangeType.RemoveNode:
        remove(cfg, prs, c.nodeId);
        break;
      default:
        throw new InvalidConfChangeError(`unknown change type ${String(c.type)}`);
    }
  }
  if (cfg.voters.size === 0) throw new InvalidConfChangeError('the change removes every voter');
}

function newProgress(settings: ProgressSettings, isLearner: boolean): Progress {
  // Probe from the leader's last index: a new member usually has nothing, and
  // the first rejection's hint moves `next` down quickly.
  const pr = new Progress(
    Math.max(settings.lastIndex, 1),
    settings.maxInflight,
    settings.maxInflightBytes,
    isLearner,
  );
  // A new member counts as active so check-quorum does not depose the leader at once.
  pr.recentActive = true;
  return pr;
}

function makeVoter(
  cfg: TrackerConfig,
  prs: Map<NodeId, Progress>,
  id: NodeId,
  settings: ProgressSettings,
): void {
  const pr = prs.get(id);
  if (!pr) prs.set(id, newProgress(settings, false));
  else pr.isLearner = false;
  cfg.learners.delete(id);
  cfg.learnersNext.delete(id);
  cfg.voters.add(id);
}

function makeLearner(
  cfg: TrackerConfig,
  prs: Map<NodeId, Progress>,
  id: NodeId,
  settings: ProgressSettings,
): void {
  const pr = prs.get(id);
  if (!pr) {
    prs.set(id, newProgress(settings, true));
    cfg.learners.add(id);
    return;
  }
  if (pr.isLearner) return;
  // A voter demoted to learner: drop it from the incoming voters but keep its progress.
  cfg.voters.delete(id);
  cfg.learners.delete(id);
  cfg.learnersNext.delete(id);
  if (cfg.votersOutgoing.has(id)) {
    // Still a voter in the outgoing half: it becomes a learner only when the joint config is left.
    cfg.learnersNext.add(id);
  } else {
    pr.isLearner = true;
    cfg.learners.add(id);
  }
}

function remove(cfg: TrackerConfig, prs: Map<NodeId, Progress>, id: NodeId): void {
  if (!prs.has(id)) return;
  cfg.voters.delete(id);
  cfg.learners.delete(id);
  cfg.learnersNext.delete(id);
  if (!cfg.votersOutgoing.has(id)) prs.delete(id);
}

function checkInvariants(cfg: TrackerConfig, prs: ReadonlyMap<NodeId, Progress>): void {
  for (const set of [cfg.voters, cfg.votersOutgoing, cfg.learners, cfg.learnersNext]) {
    for (const id of set) {
      if (!prs.has(id)) throw new InvalidConfChangeError(`no progress for member ${id}`);
    }
  }
  for (const id of cfg.learnersNext) {
    if (!cfg.votersOutgoing.has(id))
      throw new InvalidConfChangeError(`${id} is in learnersNext but not an outgoing voter`);
    if (prs.get(id)!.isLearner)
      throw new InvalidConfChangeError(`${id} is in learnersNext but already a learner`);
  }
  for (const id of cfg.learners) {
    if (cfg.voters.has(id) || cfg.votersOutgoing.has(id)) {
      throw new InvalidConfChangeError(`${id} is both a learner and a voter`);
    }
    if (!prs.get(id)!.isLearner)
      throw new InvalidConfChangeError(`${id} is a learner without learner progress`);
  }
  if (cfg.votersOutgoing.size === 0 && cfg.autoLeave) {
    throw new InvalidConfChangeError('autoLeave is set outside a joint configuration');
  }
}

/**
 * Rebuilds the tracker configuration from a persisted {@link ConfState}
 * (snapshot metadata), validating it.
 * @throws InvalidConfChangeError for an inconsistent ConfState.
 */
export function restoreConfState(cs: ConfState, settings: ProgressSettings): ChangeResult {
  const cfg = emptyTrackerConfig();
  const prs = new Map<NodeId, Progress>();
  for (const id of cs.votersOutgoing) cfg.votersOutgoing.add(id);
  for (const id of cs.voters) cfg.voters.add(id);
  for (const id of cs.learners) cfg.learners.add(id);
  for (const id of cs.learnersNext) cfg.learnersNext.add(id);
  cfg.autoLeave = cs.autoLeave;
  for (const id of [...cfg.voters, ...cfg.votersOutgoing]) {
    if (!prs.has(id)) prs.set(id, newProgress(settings, false));
  }
  for (const id of cfg.learners) {
    if (!prs.has(id)) prs.set(id, newProgress(settings, true));
  }
  checkInvariants(cfg, prs);
  return { config: cfg, progress: prs };
}
