/**
 * Random membership changes for the simulator: adds, promotions, demotions
 * and removals (the leader's own included, down to a single voter), and joint
 * configurations entered with every transition type and left explicitly.
 */
import type { Random } from '../../src/random.js';
import type { ConfChange, ConfChangeSingle, ConfState, NodeId } from '../../src/types.js';
import { ConfChangeTransition, ConfChangeType } from '../../src/types.js';

const TRANSITIONS = [
  ConfChangeTransition.Auto,
  ConfChangeTransition.JointImplicit,
  ConfChangeTransition.JointExplicit,
];

/** A change to propose on `leader` given its configuration `cs`, or undefined. The core refuses invalid ones. */
export function randomConfChange(
  rnd: Random,
  ids: readonly NodeId[],
  leader: NodeId,
  cs: ConfState,
): ConfChange | undefined {
  const pick = <T>(xs: readonly T[]): T => xs[rnd.intn(xs.length)]!;
  if (cs.votersOutgoing.length > 0) {
    // Joint: only leaving is allowed (explicitly, or the automatic leave races with this one).
    return { transition: ConfChangeTransition.Auto, changes: [] };
  }
  const members = new Set([...cs.voters, ...cs.learners]);
  const outsiders = ids.filter((id) => !members.has(id));
  const one = (type: ConfChangeType, nodeId: NodeId): ConfChange => ({
    transition: rnd.intn(4) === 0 ? pick(TRANSITIONS) : ConfChangeTransition.Auto,
    changes: [{ type, nodeId }],
  });
  switch (rnd.intn(9)) {
    case 0:
      if (outsiders.length === 0) return undefined;
      return one(rnd.intn(2) === 0 ? ConfChangeType.AddVoter : ConfChangeType.AddLearner, pick(outsiders));
    case 1:
      return cs.learners.length > 0 ? one(ConfChangeType.AddVoter, pick(cs.learners)) : undefined;
    case 2:
      return cs.voters.length > 1 ? one(ConfChangeType.AddLearner, pick(cs.voters)) : undefined;
    case 3:
      return cs.voters.length > 1 ? one(ConfChangeType.RemoveNode, pick(cs.voters)) : undefined;
    case 4:
    case 8:
      // The leader removes or demotes itself.
      if (cs.voters.length < 2) return undefined;
      return one(rnd.intn(2) === 0 ? ConfChangeType.RemoveNode : ConfChangeType.AddLearner, leader);
    case 5:
      return cs.learners.length > 0 ? one(ConfChangeType.RemoveNode, pick(cs.learners)) : undefined;
    default: {
      // Several changes at once: joint consensus, with any transition type.
      const changes: ConfChangeSingle[] = [];
      const n = 2 + rnd.intn(2);
      const used = new Set<NodeId>();
      for (let i = 0; i < n; i++) {
        const id = pick(ids);
        if (used.has(id)) continue;
        used.add(id);
        const type = pick([ConfChangeType.AddVoter, ConfChangeType.AddLearner, ConfChangeType.RemoveNode]);
        changes.push({ type, nodeId: id });
      }
      return { transition: pick(TRANSITIONS), changes };
    }
  }
}
