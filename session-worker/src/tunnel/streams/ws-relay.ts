import type { IncomingMessage } from 'node:http';
import { maxChunkSize } from '@pasarela/shared';
import type { ErrorCode, StreamMessage, WsOpened } from '@pasarela/shared';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { describeTarget, EgressError, forwardableHeaders, targetName } from '../../egress/index.js';
import type { EgressErrorCode, UpgradeExchange } from '../../egress/index.js';
import { closeForClient, closeForUpstream } from './close-codes.js';
import { headerPairs, NOT_SENT_CODES, upstreamUrl } from './context.js';
import type { StreamContext, WebSocketTiming } from './context.js';
import type { StreamEndpoint } from './stream-table.js';

// The handshake fields of this hop; the peer opens its own upstream socket.
const HANDSHAKE_HEADERS = new Set([
  'host',
  'connection',
  'upgrade',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

type Phase = 'opening' | 'open' | 'lost' | 'closed';

/**
 * The worker's side of one relayed upstream WebSocket. Baileys' `ws`
 * upgrade is answered only once the peer's own socket to WhatsApp opened
 * (WsOpened); a refused or failed open goes back to the egress at once,
 * which sends it direct or fails Baileys' socket with the code, never
 * leaving it to Baileys' own 20 s timeout. Then every message crosses as
 * one WsMessage frame, boundaries and binary bit kept, on the control lane
 * so no body transfer delays it; closes cross with their codes.
 */
export function relayWebSocket(exchange: UpgradeExchange, ctx: StreamContext): void {
  new WsRelay(exchange, ctx).start();
}

class WsRelay implements StreamEndpoint {
  readonly streamId: number;
  readonly connectionId: number;
  readonly generation: number;
  readonly #exchange: UpgradeExchange;
  readonly #ctx: StreamContext;
  readonly #maxChunk: number;
  #phase: Phase = 'opening';
  #client: WebSocket | undefined;
  #openTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #openedAt: number | null = null;
  #lastUpstreamAt: number | null = null;
  #lastClientAt: number | null = null;
  /** When Baileys sent a frame that WhatsApp has not answered yet. */
  #awaitingSince: number | null = null;

  constructor(exchange: UpgradeExchange, ctx: StreamContext) {
    this.#exchange = exchange;
    this.#ctx = ctx;
    this.generation = ctx.link.generation;
    this.connectionId = ctx.nextConnectionId();
    this.streamId = ctx.table.allocate();
    this.#maxChunk = maxChunkSize(ctx.link.limits.maxFrameSize);
  }

  start(): void {
    const exchange = this.#exchange;
    if (!this.#ctx.link.isOpen) {
      this.#phase = 'closed';
      exchange.fallBack({
        error: new EgressError('no_peer', 'the room link is not open', this.#context()),
        responseStarted: false,
        notSent: true,
      });
      return;
    }
    const { request } = exchange;
    this.#ctx.table.add(this);
    exchange.onFail(() => this.#teardown());
    const timeoutMs = this.#ctx.deadlines.upgradeTimeoutMs;
    this.#openTimer = setTimeout(() => {
      this.#reset('upstream_timeout', `no WsOpened within ${timeoutMs} ms`);
      this.#openFailed('upstream_timeout', `${this.#where()} did not open within ${timeoutMs} ms`);
    }, timeoutMs);
    this.#ctx.link.send({
      kind: 'ws-open',
      ...this.#ids(),
      body: {
        url: upstreamUrl('wss:', targetName(exchange.target), exchange.target.port, exchange.path),
        protocols: offeredProtocols(request),
        headers: headerPairs(forwardableHeaders(request.rawHeaders, true)).filter(
          ([name]) => !HANDSHAKE_HEADERS.has(name.toLowerCase()),
        ),
        deadlineMs: timeoutMs,
      },
    });
    exchange.opened();
  }

  deliver(message: StreamMessage): void {
    switch (message.kind) {
      case 'ws-opened':
        if (this.#phase === 'opening') this.#opened(message.body);
        else this.#violation('a second WsOpened');
        return;
      case 'ws-message':
        this.#fromUpstream(message.data, message.binary);
        return;
      case 'ws-close':
        this.#ctx.table.remove(this);
        this.#upstreamClosed(message.body.code, message.body.reason);
        return;
      case 'reset':
        this.#ctx.table.remove(this);
        if (this.#phase === 'opening') this.#openFailed(message.body.code, message.body.message);
        else this.#upstreamLost(message.body.code);
        return;
      default:
        this.#violation(`${message.kind} does not belong to a WebSocket stream`);
    }
  }

  linkLost(error: EgressError): void {
    this.#ctx.table.remove(this);
    if (this.#phase === 'opening') this.#openFailed(error.code, error.message);
    else this.#upstreamLost(error.code);
  }

  /** Lets Baileys' handshake complete, now that WhatsApp accepted the peer's socket. */
  #opened(opened: WsOpened): void {
    clearTimeout(this.#openTimer);
    const exchange = this.#exchange;
    const server = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: (offered) => (offered.has(opened.protocol) ? opened.protocol : false),
    });
    this.#phase = 'open';
    this.#openedAt = Date.now();
    exchange.status = 101;
    server.handleUpgrade(exchange.request, exchange.client, exchange.head, (client) => {
      this.#client = client;
      exchange.establish();
      client.on('message', (data, isBinary) => this.#fromClient(toBuffer(data), isBinary));
      client.on('close', (code, reason) => this.#clientClosed(code, reason.toString('utf8')));
      // A failed client socket closes next; the close handler does the rest.
      client.on('error', () => undefined);
      this.#report();
    });
  }

  #fromClient(data: Buffer, binary: boolean): void {
    if (this.#phase !== 'open') {
      this.#ctx.dropped('upstream-gone');
      return;
    }
    if (data.length > this.#maxChunk) {
      // One message is one frame: splitting it would lose its boundary.
      this.#reset('frame_too_large', `a ${data.length}-byte message exceeds one frame`);
      this.#ctx.table.remove(this);
      this.#phase = 'closed';
      this.#client?.close(1009, 'message too large for the tunnel');
      return;
    }
    const now = Date.now();
    this.#lastClientAt = now;
    this.#awaitingSince ??= now;
    this.#exchange.sent(data.length);
    this.#ctx.link.send({ kind: 'ws-message', ...this.#ids(), binary, data });
  }

  #fromUpstream(data: Uint8Array, binary: boolean): void {
    const client = this.#client;
    if (this.#phase !== 'open' || !client) {
      if (this.#phase === 'opening') this.#violation('WsMessage before WsOpened');
      else this.#ctx.dropped('client-gone');
      return;
    }
    const now = Date.now();
    if (this.#awaitingSince !== null) this.#ctx.roundTrip(now - this.#awaitingSince);
    this.#awaitingSince = null;
    this.#lastUpstreamAt = now;
    this.#exchange.received(data.byteLength);
    client.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { binary });
    this.#report();
  }

  #upstreamClosed(code: number, reason: string): void {
    if (this.#phase === 'opening') {
      this.#openFailed('upstream_refused', `the upstream closed before opening (${code})`);
      return;
    }
    this.#phase = 'closed';
    const client = this.#client;
    const action = closeForClient(code, reason);
    if (!client) return;
    if (action.kind === 'terminate') client.terminate();
    else client.close(action.code, action.reason);
  }

  /**
   * The upstream is gone while open (the peer left, the link broke). The
   * route controller reconnects Baileys on its own path at once; Baileys'
   * socket is closed here only if that has not happened within the grace.
   */
  #upstreamLost(code: string): void {
    if (this.#phase !== 'open') return;
    this.#phase = 'lost';
    this.#ctx.upstreamLost(code);
    this.#graceTimer = setTimeout(() => {
      this.#exchange.fail(
        new EgressError(code as EgressErrorCode, `${this.#where()}: the tunnel lost the upstream`, {
          ...this.#context(),
        }),
      );
    }, this.#ctx.settings.lostSocketGraceMs);
  }

  #clientClosed(code: number, reason: string): void {
    clearTimeout(this.#graceTimer);
    if (this.#phase === 'open') {
      this.#ctx.link.send({
        kind: 'ws-close',
        ...this.#ids(),
        body: closeForUpstream(code, reason),
      });
      this.#ctx.table.remove(this);
    }
    this.#phase = 'closed';
    this.#ctx.websocket(null);
    this.#exchange.finish();
  }

  #openFailed(code: string, message: string): void {
    if (this.#phase !== 'opening') return;
    this.#phase = 'closed';
    clearTimeout(this.#openTimer);
    this.#exchange.fallBack({
      error: new EgressError(
        code as EgressErrorCode,
        `${this.#where()}: ${message}`,
        this.#context(),
      ),
      responseStarted: false,
      notSent: NOT_SENT_CODES.has(code),
    });
  }

  #violation(detail: string): void {
    this.#reset('bad_frame', detail);
    this.#ctx.table.remove(this);
    if (this.#phase === 'opening') this.#openFailed('bad_frame', detail);
    else this.#upstreamLost('bad_frame');
  }

  #reset(code: ErrorCode, message: string): void {
    this.#ctx.link.send({ kind: 'reset', ...this.#ids(), body: { code, message } });
  }

  #teardown(): void {
    clearTimeout(this.#openTimer);
    clearTimeout(this.#graceTimer);
    if (this.#phase === 'opening' || this.#phase === 'open') {
      this.#reset('cancelled', 'the worker ended the WebSocket');
    }
    this.#phase = 'closed';
    this.#ctx.table.remove(this);
    this.#client?.terminate();
    this.#ctx.websocket(null);
  }

  #report(): void {
    const timing: WebSocketTiming = {
      streamId: this.streamId,
      connectionId: this.connectionId,
      openedAt: this.#openedAt,
      lastUpstreamFrameAt: this.#lastUpstreamAt,
      lastClientFrameAt: this.#lastClientAt,
    };
    this.#ctx.websocket(timing);
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
      connectionId: this.connectionId,
    };
  }
}

function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
