import { maxChunkSize, ReceiveWindow, SendCredit } from '@pasarela/shared';
import type { ErrorCode, ProtocolError, ResponseHead, StreamMessage } from '@pasarela/shared';
import {
  contentLength,
  describeTarget,
  EgressError,
  ExchangeDeadline,
  exchangeBudgetMs,
  forwardableHeaders,
  targetName,
} from '../../egress/index.js';
import type { EgressErrorCode, HttpExchange } from '../../egress/index.js';
import { headerPairs, NOT_SENT_CODES, upstreamUrl } from './context.js';
import type { StreamContext } from './context.js';
import { RequestBodyPump } from './request-body.js';
import type { StreamEndpoint } from './stream-table.js';

/** The peer's deadline field allows at most an hour. */
const MAX_PEER_DEADLINE_MS = 3_600_000;

// Answer headers that describe the hop, or that the body framing by End
// replaces (a browser peer cannot vouch for Content-Length: PROTOCOL.md).
const DROPPED_ANSWER_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'trailer',
  'upgrade',
]);

type Phase = 'requesting' | 'responding' | 'done' | 'discarding';

/**
 * The worker's side of one relayed HTTP exchange: RequestHead, the body in
 * credited chunks, then the peer's ResponseHead, Body chunks (credit given
 * back as the client takes them) and End, all under one deadline for the
 * whole exchange. A failure before the answer's head hands the exchange
 * back to the egress, which applies the replay rules; after it, the client
 * sees the code on its connection.
 */
export function relayHttp(exchange: HttpExchange, ctx: StreamContext): void {
  new HttpRelay(exchange, ctx).start();
}

class HttpRelay implements StreamEndpoint {
  readonly streamId: number;
  readonly connectionId: number;
  readonly generation: number;
  readonly #exchange: HttpExchange;
  readonly #ctx: StreamContext;
  readonly #credit: SendCredit;
  readonly #window: ReceiveWindow;
  readonly #maxChunk: number;
  readonly #deadline: ExchangeDeadline;
  readonly #creditWaiters: Array<() => void> = [];
  #pump: RequestBodyPump | undefined;
  #phase: Phase = 'requesting';

  constructor(exchange: HttpExchange, ctx: StreamContext) {
    this.#exchange = exchange;
    this.#ctx = ctx;
    this.generation = ctx.link.generation;
    this.connectionId = this.generation;
    this.streamId = ctx.table.allocate();
    const limits = ctx.link.limits;
    this.#credit = new SendCredit(limits.streamWindow);
    this.#window = new ReceiveWindow(limits.streamWindow);
    this.#maxChunk = maxChunkSize(limits.maxFrameSize);
    this.#deadline = new ExchangeDeadline(ctx.deadlines, () => this.#expired());
  }

  start(): void {
    const exchange = this.#exchange;
    const { request } = exchange;
    if (!this.#ctx.link.isOpen) {
      this.#deadline.clear();
      exchange.fallBack({
        error: new EgressError('no_peer', 'the room link is not open', this.#context()),
        responseStarted: false,
        notSent: true,
        body: exchange.body,
      });
      return;
    }
    const declared = contentLength(request.rawHeaders);
    const chunked = /chunked/i.test(request.headers['transfer-encoding'] ?? '');
    const verb = exchange.method.toUpperCase();
    const bodyless =
      verb === 'GET' || verb === 'HEAD' || declared === 0 || (declared === undefined && !chunked);
    if (declared !== undefined) this.#deadline.declare(declared);
    const peerDeadline = Math.min(
      MAX_PEER_DEADLINE_MS,
      exchangeBudgetMs(
        (declared ?? 0) + this.#ctx.settings.responseAllowanceBytes,
        this.#ctx.deadlines,
      ),
    );
    this.#ctx.table.add(this);
    exchange.onFail(() => this.#teardown());
    exchange.response.on('close', () => {
      if (!exchange.response.writableFinished && !exchange.settled) {
        this.#reset('cancelled', 'the client went away');
        exchange.abandon();
      }
    });
    this.#send({
      kind: 'request-head',
      ...this.#ids(),
      body: {
        method: exchange.method,
        url: upstreamUrl(
          'https:',
          targetName(exchange.target),
          exchange.target.port,
          exchange.path,
        ),
        headers: headerPairs(forwardableHeaders(request.rawHeaders)),
        deadlineMs: peerDeadline,
        replaySafe: exchange.replaySafe,
        bodyLength: bodyless ? 0 : (declared ?? null),
        leg: exchange.leg,
      },
    });
    exchange.opened();
    if (bodyless) {
      this.#send({ kind: 'end', ...this.#ids() });
      return;
    }
    this.#pump = new RequestBodyPump(exchange.body, {
      keep: exchange.replaySafe,
      keepLimit: this.#ctx.settings.replayLimitBytes,
      maxChunk: this.#maxChunk,
      send: (piece) => this.#sendPiece(piece),
      end: () => this.#send({ kind: 'end', ...this.#ids() }),
      failed: () => {
        this.#reset('cancelled', 'the client request body failed');
        exchange.abandon();
      },
    });
    this.#pump.start();
  }

  deliver(message: StreamMessage): void {
    if (this.#phase === 'discarding') {
      if (message.kind === 'end' || message.kind === 'reset') this.#ctx.table.remove(this);
      return;
    }
    switch (message.kind) {
      case 'response-head':
        this.#onHead(message.body);
        return;
      case 'body':
        this.#onBody(message.data);
        return;
      case 'end':
        this.#onEnd();
        return;
      case 'credit':
        this.#onCredit(message.bytes);
        return;
      case 'reset':
        this.#ctx.table.remove(this);
        this.#failed(
          message.body.code,
          `the ${NOT_SENT_CODES.has(message.body.code) ? 'room' : 'peer'} ` +
            `reset it: ${message.body.message}`,
        );
        return;
      default:
        this.#violation(`${message.kind} does not belong to an HTTP stream`);
    }
  }

  linkLost(error: EgressError): void {
    this.#ctx.table.remove(this);
    this.#failed(error.code, error.message);
  }

  #onHead(head: ResponseHead): void {
    if (this.#phase !== 'requesting') {
      this.#violation('a second ResponseHead');
      return;
    }
    const exchange = this.#exchange;
    if (head.opaque && head.status === 0) {
      // A browser may not follow a redirect for the worker; the real
      // answer (with its Location) must come from the direct route.
      this.#phase = 'discarding';
      this.#handOff(
        new EgressError('opaque_redirect', `${this.#where()} answered a redirect`, this.#context()),
        false,
      );
      return;
    }
    this.#phase = 'responding';
    exchange.status = head.status;
    const headers: string[] = [];
    for (const [name, value] of head.headers) {
      if (!DROPPED_ANSWER_HEADERS.has(name.toLowerCase())) headers.push(name, value);
    }
    exchange.response.sendDate = false;
    exchange.response.writeHead(head.status, head.statusText, headers);
  }

  #onBody(data: Uint8Array): void {
    if (this.#phase !== 'responding') {
      this.#violation('Body before ResponseHead');
      return;
    }
    try {
      this.#window.received(data.byteLength);
    } catch (error) {
      this.#violation((error as ProtocolError).message, 'flow_control');
      return;
    }
    this.#exchange.received(data.byteLength);
    this.#deadline.moved(data.byteLength);
    const size = data.byteLength;
    // Credit goes back only once the client has taken the bytes, so a slow
    // client holds the peer back instead of filling the worker's memory.
    this.#exchange.response.write(Buffer.from(data.buffer, data.byteOffset, size), () => {
      const grant = this.#window.consumed(size);
      if (grant > 0 && this.#phase === 'responding') {
        this.#send({ kind: 'credit', ...this.#ids(), bytes: grant });
      }
    });
  }

  #onEnd(): void {
    if (this.#phase !== 'responding') {
      this.#violation('End before ResponseHead');
      return;
    }
    this.#phase = 'done';
    this.#ctx.table.remove(this);
    this.#deadline.clear();
    const { response } = this.#exchange;
    response.end(() => this.#exchange.finish());
  }

  #onCredit(bytes: number): void {
    try {
      this.#credit.grant(bytes);
    } catch (error) {
      this.#violation((error as ProtocolError).message, 'flow_control');
      return;
    }
    for (const wake of this.#creditWaiters.splice(0)) wake();
  }

  async #sendPiece(piece: Uint8Array): Promise<boolean> {
    while (!this.#credit.tryConsume(piece.byteLength)) {
      if (!this.#alive()) return false;
      await new Promise<void>((resolve) => this.#creditWaiters.push(resolve));
    }
    await this.#ctx.link.whenWritable();
    if (!this.#alive()) return false;
    this.#exchange.sent(piece.byteLength);
    this.#deadline.moved(piece.byteLength);
    return this.#send({ kind: 'body', ...this.#ids(), data: piece });
  }

  #alive(): boolean {
    return this.#phase === 'requesting' || this.#phase === 'responding';
  }

  #expired(): void {
    const budget = Math.round(this.#deadline.expiresAt - this.#exchange.startedAt);
    this.#reset('upstream_timeout', `no answer within ${budget} ms`);
    this.#failed('upstream_timeout', `${this.#where()} did not finish within ${budget} ms`);
  }

  /** The stream ended in failure: before the answer's head the egress may replay it. */
  #failed(code: string, message: string): void {
    if (!this.#alive()) return;
    const error = new EgressError(code as EgressErrorCode, message, this.#context());
    if (this.#phase === 'requesting') {
      this.#phase = 'done';
      this.#handOff(error, NOT_SENT_CODES.has(code));
      return;
    }
    this.#phase = 'done';
    this.#exchange.fail(error);
  }

  #handOff(error: EgressError, notSent: boolean): void {
    this.#deadline.clear();
    const body = this.#pump ? this.#pump.replay() : this.#exchange.body;
    for (const wake of this.#creditWaiters.splice(0)) wake();
    this.#exchange.fallBack({ error, responseStarted: false, notSent, body });
  }

  #violation(detail: string, code: ErrorCode = 'bad_frame'): void {
    this.#reset(code, detail);
    this.#ctx.table.remove(this);
    this.#failed(code, `${this.#where()}: ${detail}`);
  }

  #reset(code: ErrorCode, message: string): void {
    if (!this.#alive() && this.#phase !== 'discarding') return;
    this.#send({ kind: 'reset', ...this.#ids(), body: { code, message } });
  }

  /** The exchange failed or was abandoned elsewhere: nothing more goes out for it. */
  #teardown(): void {
    this.#deadline.clear();
    this.#pump?.stop();
    for (const wake of this.#creditWaiters.splice(0)) wake();
    // A handed-off redirect waits for the peer's End before leaving the table.
    if (this.#phase === 'discarding') return;
    if (this.#alive()) this.#reset('cancelled', 'the worker ended the exchange');
    this.#phase = 'done';
    this.#ctx.table.remove(this);
  }

  #send(message: Parameters<StreamContext['link']['send']>[0]): boolean {
    return this.#ctx.link.send(message);
  }

  #ids(): { streamId: number; connectionId: number } {
    return { streamId: this.streamId, connectionId: this.connectionId };
  }

  #where(): string {
    return describeTarget(this.#exchange.target, this.#exchange.path);
  }

  #context() {
    return {
      tenant: this.#ctx.tenant,
      host: targetName(this.#exchange.target),
      leg: this.#exchange.leg,
      streamId: this.streamId,
    };
  }
}
