import { ProtocolError } from '@pasarela/shared';
import type { ErrorCode, Message, StreamMessage } from '@pasarela/shared';
import { FORBIDDEN_METHODS } from './headers.js';
import { HttpExchange } from './http-exchange.js';
import type { DropReason } from './stats.js';
import type { RelayStream, SilentEnd, StreamContext, StreamIds, StreamResult } from './stream.js';
import { assertTargetKind, resolveTarget } from './targets.js';
import { UpstreamSocket } from './upstream-socket.js';

export interface StreamTableHooks {
  started(stream: RelayStream): void;
  finished(stream: RelayStream, result: StreamResult): void;
  refused(ids: StreamIds, code: ErrorCode, message: string): void;
  dropped(reason: DropReason, message: Message): void;
}

export interface Admission {
  readonly paused: boolean;
  readonly maxStreams: number;
}

// Ids of ended streams remembered to tell late frames from unknown ones.
const REMEMBERED_ENDED = 1_024;

/**
 * The streams of one room socket: admits new ones (pause, stream cap,
 * target check) and routes every other frame by stream id and connection
 * id. A frame for a stream or connection this socket does not have is
 * dropped and counted, never delivered anywhere else.
 */
export class StreamTable {
  readonly #context: StreamContext;
  readonly #hooks: StreamTableHooks;
  readonly #streams = new Map<number, RelayStream>();
  readonly #ended = new Set<number>();

  constructor(context: StreamContext, hooks: StreamTableHooks) {
    this.#context = context;
    this.#hooks = hooks;
  }

  get size(): number {
    return this.#streams.size;
  }

  dispatch(message: StreamMessage, admission: Admission): void {
    if (message.kind === 'request-head' || message.kind === 'ws-open') {
      this.#open(message, admission);
      return;
    }
    const stream = this.#streams.get(message.streamId);
    // Two frames cross a stream's end on the way and carry nothing, so they
    // are no sign of trouble and are not counted: Credit for bytes sent just
    // before the end, and the worker's End of a request body (or of none,
    // for a GET) when the upstream answered in full before it arrived. A
    // real room delivers each frame as its own event, so a fast answer beats
    // the End sent right behind its RequestHead.
    const crossing = message.kind === 'credit' || message.kind === 'end';
    if (!stream && crossing && this.#ended.has(message.streamId)) return;
    if (!stream) {
      this.#hooks.dropped(
        this.#ended.has(message.streamId) ? 'stream-ended' : 'unknown-stream',
        message,
      );
      return;
    }
    if (stream.connectionId !== message.connectionId) {
      this.#hooks.dropped('connection-mismatch', message);
      return;
    }
    stream.handle(message);
  }

  /** Ends every stream at once, sending nothing: their socket is gone or the peer stops. */
  endAll(cause: SilentEnd): void {
    for (const stream of [...this.#streams.values()]) stream.end(cause);
  }

  #open(
    message: Extract<StreamMessage, { kind: 'request-head' | 'ws-open' }>,
    admission: Admission,
  ) {
    const ids = { streamId: message.streamId, connectionId: message.connectionId };
    const existing = this.#streams.get(ids.streamId);
    try {
      if (existing) {
        existing.end('worker-reset');
        throw new ProtocolError('bad_frame', `stream ${ids.streamId} is already open`);
      }
      if (admission.paused) throw new ProtocolError('peer_paused', 'staff paused this peer');
      if (this.#streams.size >= admission.maxStreams) {
        throw new ProtocolError('too_many_streams', `${admission.maxStreams} streams are open`);
      }
      const kind = message.kind === 'ws-open' ? 'websocket' : 'http';
      const target = resolveTarget(message.body.url, this.#context.config.devHosts);
      assertTargetKind(target, kind);
      const stream = this.#create(message, ids, target);
      this.#streams.set(ids.streamId, stream);
      this.#ended.delete(ids.streamId);
      this.#hooks.started(stream);
      stream.start();
    } catch (error) {
      const code = error instanceof ProtocolError ? error.code : 'internal';
      const text = error instanceof Error ? error.message : String(error);
      this.#context.link.send({ kind: 'reset', ...ids, body: { code, message: text } });
      this.#hooks.refused(ids, code, text);
    }
  }

  #create(
    message: Extract<StreamMessage, { kind: 'request-head' | 'ws-open' }>,
    ids: StreamIds,
    target: ReturnType<typeof resolveTarget>,
  ): RelayStream {
    if (message.kind === 'ws-open') {
      const socket: UpstreamSocket = new UpstreamSocket(
        ids,
        message.body,
        target,
        this.#context,
        (r) => this.#finished(socket, r),
      );
      return socket;
    }
    const method = message.body.method.toUpperCase();
    if (FORBIDDEN_METHODS.has(method)) {
      throw new ProtocolError('bad_frame', `${method} is a method browsers refuse to send`);
    }
    const exchange: HttpExchange = new HttpExchange(
      ids,
      message.body,
      target,
      this.#context,
      (result) => this.#finished(exchange, result),
    );
    return exchange;
  }

  #finished(stream: RelayStream, result: StreamResult): void {
    if (this.#streams.get(stream.streamId) !== stream) return;
    this.#streams.delete(stream.streamId);
    this.#ended.add(stream.streamId);
    if (this.#ended.size > REMEMBERED_ENDED) {
      const oldest = this.#ended.values().next().value;
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
    this.#hooks.finished(stream, result);
  }
}
