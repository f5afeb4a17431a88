import { decodeMessage, FrameType, frameTypeName, isProtocolError } from '@pasarela/shared';
import type { ErrorCode, FrameHeader, ProtocolError } from '@pasarela/shared';
import type { BrokerConfig } from './config.js';
import type { EventLog } from './events.js';
import { creditAmount, rawStreamId, resetFrame } from './frames.js';
import type { Logger } from './log.js';
import { TenantQueue } from './queue.js';
import type { PendingFrame } from './queue.js';
import type { ConnectionRecord, StreamTuple } from './records.js';
import type { TenantStats } from './stats.js';
import { fromTuple, newStream, PEER_ENDED, RecentIds, toTuple, viewStream } from './streams.js';
import type { Direction, Stream, StreamView } from './streams.js';
import { WORKER_ENDED } from './streams.js';

export interface RelayContext {
  readonly config: BrokerConfig;
  readonly stats: TenantStats;
  readonly events: EventLog;
  readonly log: Logger;
  now(): number;
  send(name: string, frame: Uint8Array): void;
  worker(): ConnectionRecord | null;
  peer(name: string): ConnectionRecord | undefined;
  primary(): string | null;
  /** The stream table changed: the worker's record must be saved again. */
  streamsChanged(): void;
  holdAwake(on: boolean): void;
}

type Notify = { worker: boolean; peer: boolean };
const BOTH: Notify = { worker: true, peer: true };

/**
 * Moves stream frames between the worker and the peer that owns each
 * stream, by header alone: bodies and WebSocket payloads are forwarded as
 * the very bytes that arrived, never decoded, copied into strings or
 * logged. Only the small control payloads it must act on (Credit amounts,
 * Reset codes) are read.
 */
export class Relay {
  readonly #ctx: RelayContext;
  readonly #streams = new Map<number, Stream>();
  readonly #recent = new RecentIds(512);
  readonly #queue = new TenantQueue();
  #inFlight = 0;

  constructor(ctx: RelayContext) {
    this.#ctx = ctx;
  }

  get openCount(): number {
    return this.#streams.size;
  }

  get bytesInFlight(): number {
    return this.#inFlight;
  }

  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  restore(tuples: readonly StreamTuple[]): void {
    for (const tuple of tuples) {
      const stream = fromTuple(tuple, this.#windows(tuple[2]));
      if (this.#ctx.peer(stream.peer)) this.#streams.set(stream.id, stream);
    }
  }

  tuples(): StreamTuple[] {
    return [...this.#streams.values()].map(toTuple);
  }

  list(): StreamView[] {
    return [...this.#streams.values()].map(viewStream);
  }

  fromWorker(header: FrameHeader, bytes: Uint8Array): void {
    const { type } = header;
    if (type === FrameType.RequestHead || type === FrameType.WsOpen) {
      this.#open(header, bytes);
      return;
    }
    const stream = this.#find(header, null);
    if (!stream) return;
    this.#relay(stream, 'toPeer', header, bytes);
  }

  fromPeer(peer: string, header: FrameHeader, bytes: Uint8Array): void {
    const stream = this.#find(header, peer);
    if (!stream) return;
    this.#relay(stream, 'toWorker', header, bytes);
  }

  /** A peer left or went silent: the worker hears about each stream it carried. */
  peerLeft(peer: string, code: ErrorCode, message: string): void {
    for (const stream of [...this.#streams.values()]) {
      if (stream.peer === peer) this.#reset(stream, code, message, { worker: true, peer: false });
    }
  }

  /** The worker left or was replaced: every peer's streams end. */
  workerLeft(code: ErrorCode, message: string): void {
    for (const stream of [...this.#streams.values()]) {
      this.#reset(stream, code, message, { worker: false, peer: true });
    }
    this.#recent.clear();
  }

  /**
   * A frame the decoder refused. When it names an open stream of its sender,
   * only that stream is reset; the tenant's other streams carry on.
   */
  refuseFrame(sender: ConnectionRecord, error: ProtocolError, bytes: Uint8Array): boolean {
    const id = rawStreamId(bytes);
    const stream = id === null ? undefined : this.#streams.get(id);
    if (!stream || (sender.role === 'peer' && stream.peer !== sender.name)) return false;
    this.#reset(stream, error.code, error.message, BOTH);
    return true;
  }

  #windows(peer: string): { toPeer: number; toWorker: number } {
    const fallback = this.#ctx.config.streamWindow;
    return {
      toPeer: this.#ctx.peer(peer)?.limits?.streamWindow ?? fallback,
      toWorker: this.#ctx.worker()?.limits?.streamWindow ?? fallback,
    };
  }

  #open(header: FrameHeader, bytes: Uint8Array): void {
    const { streamId: id, connectionId } = header;
    const existing = this.#streams.get(id);
    if (existing) {
      this.#reset(existing, 'bad_frame', `stream ${id} is already open`, BOTH);
      return;
    }
    if (this.#streams.size >= this.#ctx.config.maxOpenStreams) {
      this.#refuseOpen(header, 'too_many_streams', `${this.#streams.size} streams are open`);
      return;
    }
    const peer = this.#ctx.primary();
    if (peer === null) {
      this.#refuseOpen(header, 'no_peer', 'no healthy, active peer is connected');
      return;
    }
    const kind = header.type === FrameType.WsOpen ? 'ws' : 'http';
    const stream = newStream(
      { id, connectionId, peer, kind, openedAt: this.#ctx.now() },
      this.#windows(peer),
    );
    this.#streams.set(id, stream);
    this.#ctx.stats.add('requestsSent');
    this.#ctx.streamsChanged();
    this.#forward(stream, 'toPeer', bytes, 0, 0);
  }

  #refuseOpen(header: FrameHeader, code: ErrorCode, message: string): void {
    const worker = this.#ctx.worker();
    if (worker)
      this.#ctx.send(worker.name, resetFrame(header.streamId, header.connectionId, code, message));
    this.#recent.add(header.streamId);
    this.#ctx.stats.countFailure(code);
    this.#ctx.events.record({
      at: this.#ctx.now(),
      kind: 'stream-refused',
      code,
      detail: `stream ${header.streamId}: ${message}`,
    });
  }

  /** The stream a frame names, or null after answering or dropping the frame. */
  #find(header: FrameHeader, peer: string | null): Stream | null {
    const stream = this.#streams.get(header.streamId);
    const sender = peer ?? this.#ctx.worker()?.name;
    if (stream && (peer === null || stream.peer === peer)) {
      if (header.connectionId === stream.connectionId) return stream;
      // A frame of an upstream connection that no longer exists here.
      this.#ctx.stats.add('framesDropped');
      return null;
    }
    this.#ctx.stats.add('framesDropped');
    const quiet =
      this.#recent.has(header.streamId) ||
      header.type === FrameType.Reset ||
      header.type === FrameType.Credit;
    if (!quiet && sender) {
      this.#recent.add(header.streamId);
      const message = `stream ${header.streamId} is not open here`;
      this.#ctx.send(
        sender,
        resetFrame(header.streamId, header.connectionId, 'unknown_stream', message),
      );
    }
    return null;
  }

  #relay(stream: Stream, direction: Direction, header: FrameHeader, bytes: Uint8Array): void {
    const fromWorker = direction === 'toPeer';
    const http = stream.kind === 'http';
    const size = header.payloadLength;
    switch (header.type) {
      case FrameType.Body:
        if (!http) break;
        if (!stream.credit[direction].tryConsume(size)) {
          this.#reset(stream, 'flow_control', `${size} body bytes beyond the credit granted`, BOTH);
          return;
        }
        this.#forward(stream, direction, bytes, size, 0);
        return;
      case FrameType.End:
        if (!http) break;
        this.#forward(stream, direction, bytes, 0, fromWorker ? WORKER_ENDED : PEER_ENDED);
        return;
      case FrameType.Credit:
        if (!http) break;
        this.#credit(stream, direction, bytes);
        return;
      case FrameType.ResponseHead:
      case FrameType.WsOpened:
        if (fromWorker || http !== (header.type === FrameType.ResponseHead)) break;
        stream.answered = true;
        if (!http) this.#settle(stream, null);
        this.#forward(stream, direction, bytes, 0, 0);
        return;
      case FrameType.WsMessage:
        if (http) break;
        this.#deliver({ stream, direction, frame: bytes, bodyBytes: 0, endBit: 0 }, size);
        return;
      case FrameType.WsClose:
        if (http) break;
        this.#forward(stream, direction, bytes, 0, 0);
        this.#finish(stream);
        return;
      case FrameType.Reset:
        this.#forwardReset(stream, direction, bytes);
        return;
    }
    const what = `${frameTypeName(header.type)} from the ${fromWorker ? 'worker' : 'peer'}`;
    this.#reset(stream, 'bad_frame', `${what} does not belong on a ${stream.kind} stream`, BOTH);
  }

  #credit(stream: Stream, direction: Direction, bytes: Uint8Array): void {
    const amount = creditAmount(bytes);
    if (amount === null) {
      this.#reset(stream, 'bad_frame', 'credit must be 1 to 2^32-1 bytes', BOTH);
      return;
    }
    // Credit sent toward the peer lets the peer send more to the worker.
    const granted: Direction = direction === 'toPeer' ? 'toWorker' : 'toPeer';
    try {
      stream.credit[granted].grant(amount);
    } catch (error) {
      this.#reset(stream, 'flow_control', (error as Error).message, BOTH);
      return;
    }
    const released = Math.min(amount, stream.outstanding[granted]);
    stream.outstanding[granted] -= released;
    this.#inFlight -= released;
    this.#ctx.send(direction === 'toPeer' ? stream.peer : this.#workerName(), bytes);
    this.#drain();
  }

  #forwardReset(stream: Stream, direction: Direction, bytes: Uint8Array): void {
    let code: string = 'internal';
    try {
      const message = decodeMessage(bytes, bytes.byteLength);
      if (message.kind === 'reset') code = message.body.code;
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      this.#reset(stream, 'bad_frame', error.message, BOTH);
      return;
    }
    this.#queue.dropStream(stream);
    this.#ctx.send(direction === 'toPeer' ? stream.peer : this.#workerName(), bytes);
    this.#settle(stream, code);
    this.#finish(stream);
  }

  #forward(
    stream: Stream,
    direction: Direction,
    bytes: Uint8Array,
    bodyBytes: number,
    endBit: number,
  ): void {
    const item: PendingFrame = { stream, direction, frame: bytes, bodyBytes, endBit };
    const cap = this.#ctx.config.maxBytesInFlight;
    const overCap = bodyBytes > 0 && this.#inFlight > 0 && this.#inFlight + bodyBytes > cap;
    if (stream.queued === 0 && !overCap) {
      this.#deliver(item, bodyBytes);
      return;
    }
    if (this.#queue.bytes + bodyBytes > this.#ctx.config.maxQueuedBytes) {
      this.#reset(stream, 'flow_control', 'the tenant has too many body bytes waiting', BOTH);
      return;
    }
    this.#queue.push(item);
    this.#ctx.holdAwake(true);
  }

  #drain(): void {
    const cap = this.#ctx.config.maxBytesInFlight;
    for (let item = this.#queue.peek(); item; item = this.#queue.peek()) {
      if (item.bodyBytes > 0 && this.#inFlight > 0 && this.#inFlight + item.bodyBytes > cap) break;
      this.#queue.shift();
      this.#deliver(item, item.bodyBytes);
    }
    if (this.#queue.size === 0) this.#ctx.holdAwake(false);
  }

  #deliver(item: PendingFrame, payloadBytes: number): void {
    const { stream, direction, frame } = item;
    const destination = direction === 'toPeer' ? stream.peer : this.#workerName();
    const limit =
      (direction === 'toPeer' ? this.#ctx.peer(stream.peer) : this.#ctx.worker())?.limits
        ?.maxFrameSize ?? this.#ctx.config.maxFrameSize;
    if (frame.byteLength > limit) {
      this.#reset(stream, 'frame_too_large', `frame exceeds the receiver's ${limit} bytes`, BOTH);
      return;
    }
    this.#ctx.send(destination, frame);
    if (payloadBytes > 0) {
      stream.bytes[direction] += payloadBytes;
      this.#ctx.stats.add(direction === 'toPeer' ? 'bytesToPeers' : 'bytesToWorker', payloadBytes);
    }
    if (item.bodyBytes > 0) {
      stream.outstanding[direction] += item.bodyBytes;
      this.#inFlight += item.bodyBytes;
    }
    if (item.endBit === 0) return;
    stream.ended |= item.endBit;
    if (item.endBit === PEER_ENDED && stream.answered) this.#settle(stream, null);
    if (stream.ended === (WORKER_ENDED | PEER_ENDED)) this.#finish(stream);
    else this.#ctx.streamsChanged();
  }

  /** Counts a stream's outcome once: success (`null`) or the code that ended it. */
  #settle(stream: Stream, failure: string | null): void {
    if (stream.counted) return;
    stream.counted = true;
    if (failure === null) this.#ctx.stats.add('requestsSucceeded');
    else this.#ctx.stats.countFailure(failure);
  }

  /** Ends a stream from the room, telling the sides that are still there. */
  #reset(stream: Stream, code: ErrorCode, message: string, notify: Notify): void {
    if (!this.#streams.has(stream.id)) return;
    this.#queue.dropStream(stream);
    const frame = resetFrame(stream.id, stream.connectionId, code, message);
    const worker = this.#workerName();
    if (notify.worker && worker) this.#ctx.send(worker, frame);
    if (notify.peer && this.#ctx.peer(stream.peer)) this.#ctx.send(stream.peer, frame);
    this.#settle(stream, code);
    this.#ctx.log.info('stream reset', { stream: stream.id, peer: stream.peer, code });
    this.#finish(stream);
  }

  #finish(stream: Stream): void {
    if (!this.#streams.delete(stream.id)) return;
    this.#queue.dropStream(stream);
    this.#inFlight -= stream.outstanding.toPeer + stream.outstanding.toWorker;
    this.#recent.add(stream.id);
    this.#ctx.streamsChanged();
    this.#drain();
  }

  #workerName(): string {
    return this.#ctx.worker()?.name ?? '';
  }
}
