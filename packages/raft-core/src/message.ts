import type { Entry, Message, NodeId } from './types.js';
import { MessageType, NONE } from './types.js';

const EMPTY = new Uint8Array(0);
const NO_ENTRIES: readonly Entry[] = Object.freeze([]);

/** Builds a {@link Message} with every unset field at its zero value. */
export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return buildMessage(fields, fields.from ?? NONE, fields.term ?? 0);
}

/**
 * {@link message} with `from` and `term` given apart: one object per message
 * on the hot path (no intermediate spread copies).
 */
export function buildMessage(
  f: Partial<Message> & Pick<Message, 'type'>,
  from: NodeId,
  term: number,
): Message {
  const m: { -readonly [K in keyof Message]: Message[K] } = {
    from,
    to: f.to ?? NONE,
    term,
    logTerm: f.logTerm ?? 0,
    index: f.index ?? 0,
    entries: f.entries ?? NO_ENTRIES,
    commit: f.commit ?? 0,
    reject: f.reject ?? false,
    rejectHint: f.rejectHint ?? 0,
    context: f.context ?? EMPTY,
    type: f.type,
  };
  if (f.snapshotChunk !== undefined) m.snapshotChunk = f.snapshotChunk;
  return m;
}

/** Message types that only ever come from the local node, never from the wire. */
export function isLocalMessage(t: MessageType): boolean {
  return (
    t === MessageType.Hup ||
    t === MessageType.Beat ||
    t === MessageType.Unreachable ||
    t === MessageType.SnapStatus ||
    t === MessageType.CheckQuorum
  );
}

/** Replies: only meaningful from a node we track. */
export function isResponseMessage(t: MessageType): boolean {
  return (
    t === MessageType.AppResp ||
    t === MessageType.VoteResp ||
    t === MessageType.HeartbeatResp ||
    t === MessageType.Unreachable ||
    t === MessageType.PreVoteResp ||
    t === MessageType.SnapResp
  );
}

/** Types forwarded by followers without a term (treated like local requests by the leader). */
export function isTermlessRequest(t: MessageType): boolean {
  return t === MessageType.Prop || t === MessageType.ReadIndex || t === MessageType.TransferLeader;
}

/** The vote reply type for a vote request type. */
export function voteRespType(t: MessageType): MessageType {
  return t === MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp;
}
