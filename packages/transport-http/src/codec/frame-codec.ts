/**
 * The binary wire format of Raft traffic (version 1). See the README's "Wire
 * format" section for the grammar; this file is its only implementation.
 *
 * A frame starts with the magic bytes `0xA7 0x52`, a version byte and a kind
 * byte. Node ids are written once per frame in a table and referenced by index,
 * so a batch of a thousand heartbeats names its two nodes once. Integers are
 * unsigned LEB128 varints up to 2^53 - 1.
 *
 * Decoding never trusts a length or count: each is checked against the bytes
 * that remain and against {@link DecodeLimits}; anything else is a
 * {@link CodecError}. Local-only message types (Hup, Beat, Unreachable,
 * SnapStatus, CheckQuorum) are refused: they must never come from the network.
 */
import type { ConfState, Entry, Message, NodeId, SnapshotChunk } from '@avs/raft-core';
import { EntryType, MessageType } from '@avs/raft-core';
import { CodecError } from '../errors.js';
import { VarintReader } from './varint-reader.js';
import { VarintWriter } from './varint-writer.js';

/** First two bytes of every frame. */
export const FRAME_MAGIC = [0xa7, 0x52] as const;
/** The only version this implementation reads and writes. */
export const FRAME_VERSION = 1;

/** What a frame holds. */
export enum FrameKind {
  /** A batch of Raft messages (route `/raft/v1/messages`). */
  Batch = 1,
  /** One part of a snapshot message (route `/raft/v1/snapshot`). */
  SnapshotPart = 2,
}

/** Bounds applied while decoding untrusted frames. */
export interface DecodeLimits {
  /** Messages per batch; default 100 000. */
  readonly maxMessages: number;
  /** Entries per message; default 100 000. */
  readonly maxEntries: number;
  /** Node id length in UTF-8 bytes; default 256. */
  readonly maxNodeIdBytes: number;
  /** Node ids in a frame's table; default 4 096. */
  readonly maxNodes: number;
  /** Any single byte field (entry data, context, chunk data); default 64 MiB. */
  readonly maxFieldBytes: number;
}

/** Default {@link DecodeLimits}. */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxMessages: 100_000,
  maxEntries: 100_000,
  maxNodeIdBytes: 256,
  maxNodes: 4096,
  maxFieldBytes: 64 * 1024 * 1024,
};

/** One part of a Snap message whose chunk data is split across several HTTP requests. */
export interface SnapshotPart {
  /** The Snap message; its `snapshotChunk.data` holds only this part's bytes. */
  readonly message: Message;
  /** Offset of this part within the message's full chunk data. */
  readonly partOffset: number;
  /** Length of the message's full chunk data. */
  readonly partTotal: number;
}

const LOCAL_ONLY = new Set<number>([
  MessageType.Hup,
  MessageType.Beat,
  MessageType.Unreachable,
  MessageType.SnapStatus,
  MessageType.CheckQuorum,
]);
const MAX_MESSAGE_TYPE = MessageType.SnapResp;
const FLAG_REJECT = 1;
const FLAG_SNAPSHOT = 2;
const EMPTY = new Uint8Array(0);

class NodeTable {
  readonly ids: NodeId[] = [];
  private readonly index = new Map<NodeId, number>();

  ref(id: NodeId): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.length;
      this.ids.push(id);
      this.index.set(id, i);
    }
    return i;
  }

  collect(message: Message): void {
    this.ref(message.from);
    this.ref(message.to);
    const conf = message.snapshotChunk?.metadata.confState;
    if (conf) {
      for (const list of [conf.voters, conf.learners, conf.votersOutgoing, conf.learnersNext]) {
        for (const id of list) this.ref(id);
      }
    }
  }
}

/** Rough encoded size of a message in bytes, used by send queues to cut batches. Never below the true size by much. */
export function estimateMessageSize(message: Message): number {
  let size = 64 + message.context.length;
  for (const e of message.entries) size += 24 + e.data.length;
  const chunk = message.snapshotChunk;
  if (chunk) size += 64 + chunk.data.length + 32 * chunk.metadata.confState.voters.length;
  return size;
}

function header(w: VarintWriter, kind: FrameKind): void {
  w.u8(FRAME_MAGIC[0]);
  w.u8(FRAME_MAGIC[1]);
  w.u8(FRAME_VERSION);
  w.u8(kind);
}

function writeTable(w: VarintWriter, table: NodeTable): void {
  w.uvarint(table.ids.length);
  for (const id of table.ids) w.string(id);
}

function writeIds(w: VarintWriter, table: NodeTable, ids: readonly NodeId[]): void {
  w.uvarint(ids.length);
  for (const id of ids) w.uvarint(table.ref(id));
}

function writeMessage(w: VarintWriter, table: NodeTable, m: Message): void {
  w.u8(m.type);
  w.uvarint(table.ref(m.from));
  w.uvarint(table.ref(m.to));
  w.uvarint(m.term);
  w.uvarint(m.logTerm);
  w.uvarint(m.index);
  w.uvarint(m.commit);
  w.uvarint(m.rejectHint);
  w.u8((m.reject ? FLAG_REJECT : 0) | (m.snapshotChunk ? FLAG_SNAPSHOT : 0));
  w.bytes(m.context);
  w.uvarint(m.entries.length);
  for (const e of m.entries) {
    w.uvarint(e.term);
    w.uvarint(e.index);
    w.u8(e.type);
    w.bytes(e.data);
  }
  const chunk = m.snapshotChunk;
  if (chunk) {
    const meta = chunk.metadata;
    w.uvarint(meta.index);
    w.uvarint(meta.term);
    writeIds(w, table, meta.confState.voters);
    writeIds(w, table, meta.confState.learners);
    writeIds(w, table, meta.confState.votersOutgoing);
    writeIds(w, table, meta.confState.learnersNext);
    w.u8(meta.confState.autoLeave ? 1 : 0);
    w.uvarint(chunk.totalSize);
    w.uvarint(chunk.offset);
    w.bytes(chunk.data);
    w.u8(chunk.done ? 1 : 0);
  }
}

/**
 * Encodes a batch of messages into one frame.
 * @param messages any number of messages (an empty batch is valid)
 * @returns the frame bytes
 * @throws RangeError if a number field is not a non-negative safe integer
 */
export function encodeBatch(messages: readonly Message[]): Uint8Array {
  const table = new NodeTable();
  let size = 16;
  for (const m of messages) {
    table.collect(m);
    size += estimateMessageSize(m);
  }
  const body = new VarintWriter(size);
  body.uvarint(messages.length);
  for (const m of messages) writeMessage(body, table, m);
  const w = new VarintWriter(body.length + 16 + table.ids.length * 48);
  header(w, FrameKind.Batch);
  writeTable(w, table);
  const bytes = body.finish();
  const out = w.finish();
  const frame = new Uint8Array(out.length + bytes.length);
  frame.set(out);
  frame.set(bytes, out.length);
  return frame;
}

/**
 * Encodes one part of a Snap message.
 * @param part the message carries only the part's bytes in `snapshotChunk.data`
 */
export function encodeSnapshotPart(part: SnapshotPart): Uint8Array {
  const table = new NodeTable();
  table.collect(part.message);
  const w = new VarintWriter(estimateMessageSize(part.message) + 64);
  header(w, FrameKind.SnapshotPart);
  w.uvarint(part.partOffset);
  w.uvarint(part.partTotal);
  writeTable(w, table);
  writeMessage(w, table, part.message);
  return w.finish();
}

function readHeader(r: VarintReader, kind: FrameKind): void {
  if (r.u8('magic') !== FRAME_MAGIC[0] || r.u8('magic') !== FRAME_MAGIC[1]) {
    throw new CodecError('not a Raft frame: the magic bytes 0xA7 0x52 are missing');
  }
  const version = r.u8('version');
  if (version !== FRAME_VERSION) {
    throw new CodecError(`unsupported frame version ${version}; this node speaks version ${FRAME_VERSION}`);
  }
  const got = r.u8('frame kind');
  if (got !== kind) throw new CodecError(`expected frame kind ${kind}, got ${got}`);
}

function readTable(r: VarintReader, limits: DecodeLimits): NodeId[] {
  const n = r.count('node table size', 1, limits.maxNodes);
  const ids: NodeId[] = [];
  for (let i = 0; i < n; i++) ids.push(r.string('node id', limits.maxNodeIdBytes));
  return ids;
}

function readRef(r: VarintReader, ids: readonly NodeId[], what: string): NodeId {
  const i = r.uvarint(what);
  const id = ids[i];
  if (id === undefined) throw new CodecError(`${what} refers to node ${i} but the table has ${ids.length}`);
  return id;
}

function readIds(r: VarintReader, ids: readonly NodeId[], what: string, limits: DecodeLimits): NodeId[] {
  const n = r.count(`${what} count`, 1, limits.maxNodes);
  const out: NodeId[] = [];
  for (let i = 0; i < n; i++) out.push(readRef(r, ids, what));
  return out;
}

function readBool(r: VarintReader, what: string): boolean {
  const b = r.u8(what);
  if (b > 1) throw new CodecError(`${what} must be 0 or 1, got ${b}`);
  return b === 1;
}

function readMessage(r: VarintReader, ids: readonly NodeId[], limits: DecodeLimits): Message {
  const type = r.u8('message type');
  if (type > MAX_MESSAGE_TYPE) throw new CodecError(`unknown message type ${type}`);
  if (LOCAL_ONLY.has(type)) throw new CodecError(`message type ${MessageType[type]} is local and never sent`);
  const from = readRef(r, ids, 'from');
  const to = readRef(r, ids, 'to');
  const term = r.uvarint('term');
  const logTerm = r.uvarint('logTerm');
  const index = r.uvarint('index');
  const commit = r.uvarint('commit');
  const rejectHint = r.uvarint('rejectHint');
  const flags = r.u8('flags');
  if (flags & ~(FLAG_REJECT | FLAG_SNAPSHOT))
    throw new CodecError(`unknown message flags 0x${flags.toString(16)}`);
  const context = r.bytes('context', limits.maxFieldBytes);
  const entryCount = r.count('entry count', 4, limits.maxEntries);
  const entries: Entry[] = [];
  for (let i = 0; i < entryCount; i++) {
    const eTerm = r.uvarint('entry term');
    const eIndex = r.uvarint('entry index');
    const eType = r.u8('entry type');
    if (eType !== EntryType.Normal && eType !== EntryType.ConfChange) {
      throw new CodecError(`unknown entry type ${eType}`);
    }
    entries.push({
      term: eTerm,
      index: eIndex,
      type: eType,
      data: r.bytes('entry data', limits.maxFieldBytes),
    });
  }
  let snapshotChunk: SnapshotChunk | undefined;
  if (flags & FLAG_SNAPSHOT) {
    if (type !== MessageType.Snap)
      throw new CodecError(`a ${MessageType[type]} message cannot carry a snapshot`);
    const metaIndex = r.uvarint('snapshot index');
    const metaTerm = r.uvarint('snapshot term');
    const confState: ConfState = {
      voters: readIds(r, ids, 'voter', limits),
      learners: readIds(r, ids, 'learner', limits),
      votersOutgoing: readIds(r, ids, 'outgoing voter', limits),
      learnersNext: readIds(r, ids, 'next learner', limits),
      autoLeave: readBool(r, 'autoLeave'),
    };
    const totalSize = r.uvarint('snapshot size');
    const offset = r.uvarint('chunk offset');
    const data = r.bytes('chunk data', limits.maxFieldBytes);
    const done = readBool(r, 'chunk done');
    if (offset + data.length > totalSize) {
      throw new CodecError(
        `chunk [${offset}, ${offset + data.length}) lies past the snapshot size ${totalSize}`,
      );
    }
    snapshotChunk = {
      metadata: { index: metaIndex, term: metaTerm, confState },
      totalSize,
      offset,
      data,
      done,
    };
  } else if (type === MessageType.Snap) {
    throw new CodecError('a Snap message must carry a snapshot chunk');
  }
  const message: Message = {
    type,
    from,
    to,
    term,
    logTerm,
    index,
    entries,
    commit,
    reject: (flags & FLAG_REJECT) !== 0,
    rejectHint,
    context: context.length === 0 ? EMPTY : context,
  };
  return snapshotChunk ? { ...message, snapshotChunk } : message;
}

/**
 * Decodes a batch frame.
 * @param frame untrusted bytes
 * @param limits bounds on counts and sizes (defaults: {@link DEFAULT_DECODE_LIMITS})
 * @returns the messages, in order
 * @throws CodecError for anything that is not a well-formed version-1 batch within the limits
 */
export function decodeBatch(frame: Uint8Array, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): Message[] {
  const r = new VarintReader(frame);
  readHeader(r, FrameKind.Batch);
  const ids = readTable(r, limits);
  // The smallest message takes 11 bytes.
  const n = r.count('message count', 11, limits.maxMessages);
  const messages: Message[] = [];
  for (let i = 0; i < n; i++) messages.push(readMessage(r, ids, limits));
  r.end();
  return messages;
}

/**
 * Decodes a snapshot part frame.
 * @throws CodecError for a malformed frame, a non-Snap message, or a part outside `[0, partTotal]`
 */
export function decodeSnapshotPart(
  frame: Uint8Array,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): SnapshotPart {
  const r = new VarintReader(frame);
  readHeader(r, FrameKind.SnapshotPart);
  const partOffset = r.uvarint('part offset');
  const partTotal = r.uvarint('part total');
  const ids = readTable(r, limits);
  const message = readMessage(r, ids, limits);
  r.end();
  const chunk = message.snapshotChunk;
  if (!chunk) throw new CodecError('a snapshot part must carry a Snap message');
  if (partOffset + chunk.data.length > partTotal) {
    throw new CodecError(
      `part [${partOffset}, ${partOffset + chunk.data.length}) lies past the chunk length ${partTotal}`,
    );
  }
  if (chunk.offset + partTotal > chunk.totalSize) {
    throw new CodecError(
      `chunk [${chunk.offset}, ${chunk.offset + partTotal}) lies past the snapshot size ${chunk.totalSize}`,
    );
  }
  if (partTotal > limits.maxFieldBytes) {
    throw new CodecError(`chunk length ${partTotal} is more than the limit ${limits.maxFieldBytes}`);
  }
  return { message, partOffset, partTotal };
}
