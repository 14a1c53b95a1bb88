import type { Message } from './types.js';
import { MessageType, NONE } from './types.js';

const EMPTY = new Uint8Array(0);

/** Builds a {@link Message} with every unset field at its zero value. */
export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    from: NONE,
    to: NONE,
    term: 0,
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: EMPTY,
    ...fields,
  };
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
