import { decodeMessage, FrameType, frameTypeName, isProtocolError } from '@pasarela/shared';
import type { ErrorCode, FrameHeader, ProtocolError } from '@pasarela/shared';
import type { BrokerConfig } from './config.js';
import type { EventLog } from './events.js';
import { creditAmount, rawStreamId, resetFrame } from './frames.js';
import type { Logger } from './log.js';
import type { ConnectionRecord, StreamTuple } from './records.js';
import type { TenantStats } from './stats.js';
import { BOTH, StreamBook } from './stream-book.js';
import { newStream, PEER_ENDED, WORKER_ENDED } from './streams.js';
import type { Direction, Stream, StreamView } from './streams.js';

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

/**
 * Moves stream frames between the worker and the peer that owns each
 * stream, by header alone: bodies and WebSocket payloads are forwarded as
 * the very bytes that arrived, never decoded, copied into strings or
 * logged. Only the small control payloads it must act on (Credit amounts,
 * Reset codes) are read.
 */
export class Relay {
  readonly #ctx: RelayContext;
  readonly #book: StreamBook;

  constructor(ctx: RelayContext) {
    this.#ctx = ctx;
    this.#book = new StreamBook(ctx);
  }

  get openCount(): number {
    return this.#book.size;
  }

  get bytesInFlight(): number {
    return this.#book.bytesInFlight;
  }

  get queuedBytes(): number {
    return this.#book.queuedBytes;
  }

  restore(tuples: readonly StreamTuple[]): void {
    this.#book.restore(tuples, (peer) => this.#windows(peer));
  }

  tuples(): StreamTuple[] {
    return this.#book.tuples();
  }

  list(): StreamView[] {
    return this.#book.list();
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
    for (const stream of this.#book.all()) {
      if (stream.peer === peer)
        this.#book.reset(stream, code, message, { worker: true, peer: false });
    }
  }

  /** The worker left or was replaced: every peer's streams end. */
  workerLeft(code: ErrorCode, message: string): void {
    for (const stream of this.#book.all()) {
      this.#book.reset(stream, code, message, { worker: false, peer: true });
    }
    this.#book.recent.clear();
  }

  /**
   * A frame the decoder refused. When it names an open stream of its sender,
   * only that stream is reset; the tenant's other streams carry on.
   */
  refuseFrame(sender: ConnectionRecord, error: ProtocolError, bytes: Uint8Array): boolean {
    const id = rawStreamId(bytes);
    const stream = id === null ? undefined : this.#book.get(id);
    if (!stream || (sender.role === 'peer' && stream.peer !== sender.name)) return false;
    this.#book.reset(stream, error.code, error.message, BOTH);
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
    const existing = this.#book.get(id);
    if (existing) {
      this.#book.reset(existing, 'bad_frame', `stream ${id} is already open`, BOTH);
      return;
    }
    if (this.#book.size >= this.#ctx.config.maxOpenStreams) {
      this.#refuseOpen(header, 'too_many_streams', `${this.#book.size} streams are open`);
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
    this.#book.add(stream);
    this.#ctx.stats.add('requestsSent');
    this.#book.forward(stream, 'toPeer', bytes, 0, 0);
  }

  #refuseOpen(header: FrameHeader, code: ErrorCode, message: string): void {
    const worker = this.#ctx.worker();
    if (worker)
      this.#ctx.send(worker.name, resetFrame(header.streamId, header.connectionId, code, message));
    this.#book.recent.add(header.streamId);
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
    const stream = this.#book.get(header.streamId);
    const sender = peer ?? this.#ctx.worker()?.name;
    if (stream && (peer === null || stream.peer === peer)) {
      if (header.connectionId === stream.connectionId) return stream;
      // A frame of an upstream connection that no longer exists here.
      this.#ctx.stats.add('framesDropped');
      return null;
    }
    this.#ctx.stats.add('framesDropped');
    const quiet =
      this.#book.recent.has(header.streamId) ||
      header.type === FrameType.Reset ||
      header.type === FrameType.Credit;
    if (!quiet && sender) {
      this.#book.recent.add(header.streamId);
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
          this.#book.reset(
            stream,
            'flow_control',
            `${size} body bytes beyond the credit granted`,
            BOTH,
          );
          return;
        }
        this.#book.forward(stream, direction, bytes, size, 0);
        return;
      case FrameType.End:
        if (!http) break;
        this.#book.forward(stream, direction, bytes, 0, fromWorker ? WORKER_ENDED : PEER_ENDED);
        return;
      case FrameType.Credit:
        if (!http) break;
        this.#credit(stream, direction, bytes);
        return;
      case FrameType.ResponseHead:
      case FrameType.WsOpened:
        if (fromWorker || http !== (header.type === FrameType.ResponseHead)) break;
        stream.answered = true;
        if (!http) this.#book.settle(stream, null);
        this.#book.forward(stream, direction, bytes, 0, 0);
        return;
      case FrameType.WsMessage:
        if (http) break;
        this.#book.deliver({ stream, direction, frame: bytes, bodyBytes: 0, endBit: 0 }, size);
        return;
      case FrameType.WsClose:
        if (http) break;
        this.#book.forward(stream, direction, bytes, 0, 0);
        this.#book.finish(stream);
        return;
      case FrameType.Reset:
        this.#forwardReset(stream, direction, bytes);
        return;
    }
    const what = `${frameTypeName(header.type)} from the ${fromWorker ? 'worker' : 'peer'}`;
    this.#book.reset(
      stream,
      'bad_frame',
      `${what} does not belong on a ${stream.kind} stream`,
      BOTH,
    );
  }

  #credit(stream: Stream, direction: Direction, bytes: Uint8Array): void {
    const amount = creditAmount(bytes);
    if (amount === null) {
      this.#book.reset(stream, 'bad_frame', 'credit must be 1 to 2^32-1 bytes', BOTH);
      return;
    }
    // Credit sent toward the peer lets the peer send more to the worker.
    const granted: Direction = direction === 'toPeer' ? 'toWorker' : 'toPeer';
    try {
      stream.credit[granted].grant(amount);
    } catch (error) {
      this.#book.reset(stream, 'flow_control', (error as Error).message, BOTH);
      return;
    }
    this.#book.release(stream, granted, amount);
    this.#ctx.send(direction === 'toPeer' ? stream.peer : this.#workerName(), bytes);
    this.#book.drain();
  }

  #forwardReset(stream: Stream, direction: Direction, bytes: Uint8Array): void {
    let code: string = 'internal';
    try {
      const message = decodeMessage(bytes, bytes.byteLength);
      if (message.kind === 'reset') code = message.body.code;
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      this.#book.reset(stream, 'bad_frame', error.message, BOTH);
      return;
    }
    this.#book.dropWaiting(stream);
    this.#ctx.send(direction === 'toPeer' ? stream.peer : this.#workerName(), bytes);
    this.#book.settle(stream, code);
    this.#book.finish(stream);
  }

  #workerName(): string {
    return this.#ctx.worker()?.name ?? '';
  }
}
