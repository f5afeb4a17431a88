import { ProtocolError } from '@pasarela/shared';
import type { ErrorCode, Message, StreamMessage, WsOpen } from '@pasarela/shared';
import type { StreamOutcome } from './events.js';
import { allHeaderNames } from './headers.js';
import type { SocketEvent, SocketListener, WebSocketLike } from './runtime.js';
import { SOCKET_OPEN } from './runtime.js';
import type { FinishListener, RelayStream, SilentEnd, StreamContext, StreamIds } from './stream.js';
import type { ResolvedTarget } from './targets.js';

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// RFC 6455, section 5.5: a close frame's reason fits in 123 bytes.
const MAX_REASON_BYTES = 123;

/** Browsers let a page close with 1000 or 3000-4999 only; anything else throws. */
export function pageCloseCode(code: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : 1000;
}

/** Cuts a close reason to 123 UTF-8 bytes without splitting a character. */
export function closeReason(reason: string): string {
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    bytes += utf8.encode(char).byteLength;
    if (bytes > MAX_REASON_BYTES) break;
    end += char.length;
  }
  return reason.slice(0, end);
}

/**
 * One upstream WebSocket the peer opens itself (the WhatsApp chat socket).
 * Each message keeps its boundaries and its binary/text bit; the close
 * carries the upstream's own code and reason. A page cannot set any header
 * on a WebSocket, so every header the worker named is reported dropped.
 */
export class UpstreamSocket implements RelayStream {
  readonly kind = 'websocket';
  readonly leg = 'websocket';
  readonly method = 'GET';
  readonly streamId: number;
  readonly connectionId: number;
  readonly host: string;
  readonly #open: WsOpen;
  readonly #target: ResolvedTarget;
  readonly #context: StreamContext;
  readonly #onFinish: FinishListener;
  readonly #listeners: [string, SocketListener][];
  #socket: WebSocketLike | null = null;
  #opened = false;
  #finished = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #bytesSent = 0;
  #bytesReceived = 0;

  constructor(
    ids: StreamIds,
    open: WsOpen,
    target: ResolvedTarget,
    context: StreamContext,
    onFinish: FinishListener,
  ) {
    this.streamId = ids.streamId;
    this.connectionId = ids.connectionId;
    this.host = target.host;
    this.#open = open;
    this.#target = target;
    this.#context = context;
    this.#onFinish = onFinish;
    this.#listeners = [
      ['open', () => this.#onOpen()],
      ['message', (event) => this.#fromUpstream(event)],
      ['close', (event) => this.#closed(event)],
    ];
  }

  get #ids(): StreamIds {
    return { streamId: this.streamId, connectionId: this.connectionId };
  }

  start(): void {
    const { WebSocket } = this.#context.config;
    const protocols = this.#open.protocols;
    let socket: WebSocketLike;
    try {
      socket = new WebSocket(this.#target.effective.href, protocols.length ? protocols : undefined);
    } catch {
      this.#reset('upstream_refused', `${this.host}: the page could not open a WebSocket`);
      return;
    }
    socket.binaryType = 'arraybuffer';
    // Never removed: Node's `ws` throws on an error event with no listener.
    socket.addEventListener('error', () => undefined);
    for (const [type, listener] of this.#listeners) socket.addEventListener(type, listener);
    this.#socket = socket;
    this.#timer = setTimeout(() => {
      if (this.#opened) return;
      this.#reset('upstream_timeout', `${this.host}: the upgrade did not finish in time`);
    }, this.#open.deadlineMs);
  }

  handle(message: StreamMessage): void {
    try {
      switch (message.kind) {
        case 'ws-message':
          this.#toUpstream(message.binary, message.data);
          return;
        case 'ws-close':
          this.#closeUpstream(message.body.code, message.body.reason);
          this.#finish('closed');
          return;
        case 'reset':
          this.end('worker-reset');
          return;
        default:
          throw new ProtocolError('bad_frame', `${message.kind} on a WebSocket stream`);
      }
    } catch (error) {
      const code = error instanceof ProtocolError ? error.code : 'internal';
      this.#closeUpstream(1000, '');
      this.#reset(code, `${this.host}: ${(error as Error).message}`);
    }
  }

  end(cause: SilentEnd): void {
    if (this.#finished) return;
    this.#closeUpstream(1000, cause === 'link-lost' ? 'tunnel lost' : '');
    this.#finish(cause);
  }

  #toUpstream(binary: boolean, data: Uint8Array): void {
    const socket = this.#socket;
    if (!this.#opened || !socket) {
      throw new ProtocolError('bad_frame', 'WsMessage before WsOpened');
    }
    let payload: string | Uint8Array = data;
    if (!binary) {
      try {
        payload = strictUtf8.decode(data);
      } catch {
        throw new ProtocolError('bad_frame', 'a text message is not valid UTF-8');
      }
    }
    // A socket already closing drops the message, as the upstream would.
    if (socket.readyState !== SOCKET_OPEN) return;
    socket.send(payload);
    this.#bytesSent += data.byteLength;
  }

  #onOpen(): void {
    if (this.#finished || !this.#socket) return;
    clearTimeout(this.#timer);
    this.#opened = true;
    this.#send({
      kind: 'ws-opened',
      ...this.#ids,
      body: {
        protocol: this.#socket.protocol,
        extensions: this.#socket.extensions,
        droppedRequestHeaders: allHeaderNames(this.#open.headers),
      },
    });
  }

  #fromUpstream(event: SocketEvent): void {
    if (this.#finished) return;
    const { data } = event;
    let bytes: Uint8Array;
    let binary: boolean;
    if (typeof data === 'string') {
      bytes = utf8.encode(data);
      binary = false;
    } else if (data instanceof ArrayBuffer) {
      bytes = new Uint8Array(data);
      binary = true;
    } else {
      this.#closeUpstream(1000, '');
      this.#reset('internal', `${this.host}: a message arrived in a form other than ArrayBuffer`);
      return;
    }
    if (bytes.byteLength > this.#context.link.maxChunk) {
      // A message cannot be split without losing its boundary (F10).
      this.#closeUpstream(1009, '');
      this.#reset('frame_too_large', `${this.host}: a ${bytes.byteLength}-byte message`);
      return;
    }
    this.#bytesReceived += bytes.byteLength;
    this.#send({ kind: 'ws-message', ...this.#ids, binary, data: bytes });
  }

  #closed(event: SocketEvent): void {
    if (this.#finished) return;
    if (!this.#opened) {
      // A browser gives no reason for a failed upgrade: a refusal (for
      // example of the page's Origin) and an unreachable host look alike.
      this.#reset(
        'upstream_refused',
        `${this.host}: the upgrade was refused or the host could not be reached`,
      );
      return;
    }
    const code = event.code ?? 1005;
    this.#send({
      kind: 'ws-close',
      ...this.#ids,
      body: {
        code: code >= 1000 && code <= 4999 ? code : 1006,
        reason: closeReason(event.reason ?? ''),
      },
    });
    this.#finish('closed');
  }

  #closeUpstream(code: number, reason: string): void {
    const socket = this.#socket;
    if (!socket) return;
    for (const [type, listener] of this.#listeners) socket.removeEventListener(type, listener);
    try {
      socket.close(pageCloseCode(code), closeReason(reason));
    } catch {
      // Already closed.
    }
  }

  #send(message: Message): void {
    this.#context.link.send(message);
  }

  #reset(code: ErrorCode, message: string): void {
    if (this.#finished) return;
    this.#send({ kind: 'reset', ...this.#ids, body: { code, message } });
    this.#closeUpstream(1000, '');
    this.#finish(code);
  }

  #finish(outcome: StreamOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#timer);
    this.#onFinish({
      outcome,
      bytesSent: this.#bytesSent,
      bytesReceived: this.#bytesReceived,
    });
  }
}
