import { SendCredit } from '@pasarela/shared';
import type { StreamKind, StreamTuple } from './records.js';

export type Direction = 'toPeer' | 'toWorker';

export const WORKER_ENDED = 1;
export const PEER_ENDED = 2;
const ANSWERED = 4;
const COUNTED = 8;

/** One relayed exchange: owned by one peer for its whole life. */
export interface Stream {
  readonly id: number;
  readonly connectionId: number;
  readonly peer: string;
  readonly kind: StreamKind;
  readonly openedAt: number;
  ended: number;
  /** The answer arrived (ResponseHead or WsOpened). */
  answered: boolean;
  /** Its outcome (success or failure) is already counted. */
  counted: boolean;
  /** What each sender may still send, by the receiver's window and its credits. */
  readonly credit: Record<Direction, SendCredit>;
  /** Body bytes forwarded and not yet credited back; they count toward the tenant cap. */
  readonly outstanding: Record<Direction, number>;
  readonly bytes: Record<Direction, number>;
  /** Frames of this stream waiting in the tenant queue. */
  queued: number;
}

export interface StreamWindows {
  /** The peer's receive window (what the worker may send it). */
  toPeer: number;
  toWorker: number;
}

export function newStream(
  fields: Pick<Stream, 'id' | 'connectionId' | 'peer' | 'kind' | 'openedAt'>,
  windows: StreamWindows,
): Stream {
  return {
    ...fields,
    ended: 0,
    answered: false,
    counted: false,
    credit: { toPeer: new SendCredit(windows.toPeer), toWorker: new SendCredit(windows.toWorker) },
    outstanding: { toPeer: 0, toWorker: 0 },
    bytes: { toPeer: 0, toWorker: 0 },
    queued: 0,
  };
}

export function toTuple(stream: Stream): StreamTuple {
  return [
    stream.id,
    stream.connectionId,
    stream.peer,
    stream.kind === 'ws' ? 1 : 0,
    stream.openedAt,
    stream.ended | (stream.answered ? ANSWERED : 0) | (stream.counted ? COUNTED : 0),
  ];
}

/**
 * A stream brought back after hibernation. Its credit restarts at a full
 * window: the object only hibernates after seconds without a message, and
 * each end still checks its own receive window.
 */
export function fromTuple(tuple: StreamTuple, windows: StreamWindows): Stream {
  const [id, connectionId, peer, kind, openedAt, flags] = tuple;
  const stream = newStream(
    { id, connectionId, peer, kind: kind === 1 ? 'ws' : 'http', openedAt },
    windows,
  );
  stream.ended = flags & (WORKER_ENDED | PEER_ENDED);
  stream.answered = (flags & ANSWERED) !== 0;
  stream.counted = (flags & COUNTED) !== 0;
  return stream;
}

/** What inspection shows of a stream. */
export interface StreamView {
  streamId: number;
  connectionId: number;
  kind: StreamKind;
  peer: string;
  openedAt: number;
  bytesToPeer: number;
  bytesToWorker: number;
  queuedFrames: number;
}

export function viewStream(stream: Stream): StreamView {
  return {
    streamId: stream.id,
    connectionId: stream.connectionId,
    kind: stream.kind,
    peer: stream.peer,
    openedAt: stream.openedAt,
    bytesToPeer: stream.bytes.toPeer,
    bytesToWorker: stream.bytes.toWorker,
    queuedFrames: stream.queued,
  };
}

/** Ids of recently ended streams: late frames for them are dropped quietly. */
export class RecentIds {
  readonly #ids: number[] = [];
  readonly #set = new Set<number>();

  constructor(private readonly kept: number) {}

  add(id: number): void {
    if (this.#set.has(id)) return;
    this.#ids.push(id);
    this.#set.add(id);
    if (this.#ids.length > this.kept) this.#set.delete(this.#ids.shift() as number);
  }

  has(id: number): boolean {
    return this.#set.has(id);
  }

  clear(): void {
    this.#ids.length = 0;
    this.#set.clear();
  }
}
