import { EntryType, type Message, MessageType } from '@avs/raft-core';
import fc from 'fast-check';

const NETWORK_TYPES = [
  MessageType.Prop,
  MessageType.App,
  MessageType.AppResp,
  MessageType.Vote,
  MessageType.VoteResp,
  MessageType.Heartbeat,
  MessageType.HeartbeatResp,
  MessageType.TransferLeader,
  MessageType.TimeoutNow,
  MessageType.ReadIndex,
  MessageType.ReadIndexResp,
  MessageType.PreVote,
  MessageType.PreVoteResp,
  MessageType.SnapResp,
];

const u53 = fc.maxSafeNat();
const small = fc.nat({ max: 1_000_000 });
const nodeId = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('0x' + 'ab'.repeat(20), '0x' + '01'.repeat(20)),
);
const bytes = fc.uint8Array({ maxLength: 64 });

const entry = fc.record({
  term: fc.oneof(small, u53),
  index: fc.oneof(small, u53),
  type: fc.constantFrom(EntryType.Normal, EntryType.ConfChange),
  data: bytes,
});

const base = {
  from: nodeId,
  to: nodeId,
  term: fc.oneof(small, u53),
  logTerm: small,
  index: fc.oneof(small, u53),
  entries: fc.array(entry, { maxLength: 4 }),
  commit: small,
  reject: fc.boolean(),
  rejectHint: small,
  context: bytes,
};

/** Any message the network may carry (Snap messages included, with a consistent chunk). */
export const messageArbitrary: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ type: fc.constantFrom(...NETWORK_TYPES), ...base }),
  fc
    .record({
      ...base,
      ids: fc.array(nodeId, { maxLength: 4 }),
      metaIndex: small,
      metaTerm: small,
      data: bytes,
      before: fc.nat({ max: 100 }),
      after: fc.nat({ max: 100 }),
      done: fc.boolean(),
      autoLeave: fc.boolean(),
    })
    .map(({ ids, metaIndex, metaTerm, data, before, after, done, autoLeave, ...m }) => ({
      ...m,
      type: MessageType.Snap,
      snapshotChunk: {
        metadata: {
          index: metaIndex,
          term: metaTerm,
          confState: {
            voters: ids,
            learners: ids.slice(1),
            votersOutgoing: [],
            learnersNext: ids.slice(2),
            autoLeave,
          },
        },
        totalSize: before + data.length + after,
        offset: before,
        data,
        done,
      },
    })),
);

/** A small Raft message of the given kind, as Raft would send it. */
export function heartbeat(from: string, to: string, term: number, commit = 0): Message {
  return {
    type: MessageType.Heartbeat,
    from,
    to,
    term,
    logTerm: 0,
    index: 0,
    entries: [],
    commit,
    reject: false,
    rejectHint: 0,
    context: new Uint8Array(0),
  };
}
