import { decodeMessage, isProtocolError, PROTOCOL_VERSION, ProtocolError } from '@pasarela/shared';
import type {
  ErrorBody,
  ErrorCode,
  Message,
  StatsBody,
  TenantStatus,
  Welcome,
} from '@pasarela/shared';
import type { InFlightBudget } from './budget.js';
import type { PeerConfig } from './config.js';
import { RoomLink } from './link.js';
import type { LinkSocket } from './link.js';
import type { DropReason } from './stats.js';
import type { BodyMode, RelayStream, StreamIds, StreamResult } from './stream.js';
import { StreamTable } from './stream-table.js';
import type { Admission } from './stream-table.js';

export interface SessionShared {
  readonly config: PeerConfig;
  readonly budget: InFlightBudget;
  readonly bodyModes: Map<string, BodyMode>;
  readonly canStream: boolean;
}

export interface SessionHooks {
  admission(): Admission;
  welcomed(welcome: Welcome): void;
  roomError(body: ErrorBody): void;
  tenantStatus(body: TenantStatus): void;
  roomStats(body: StatsBody): void;
  pinged(): void;
  received(bytes: number): void;
  sent(bytes: number): void;
  started(stream: RelayStream): void;
  finished(stream: RelayStream, result: StreamResult): void;
  refused(ids: StreamIds, code: ErrorCode, message: string): void;
  dropped(reason: DropReason, message: Message | null): void;
  fault(error: ProtocolError): void;
}

/**
 * Everything that lives exactly as long as one room socket: its link, its
 * streams and the handling of its frames. A new socket gets a new session,
 * so nothing of an old one can leak into it.
 */
export class RoomSession {
  readonly link: RoomLink;
  readonly #table: StreamTable;
  readonly #shared: SessionShared;
  readonly #hooks: SessionHooks;

  constructor(generation: number, socket: LinkSocket, shared: SessionShared, hooks: SessionHooks) {
    const { config } = shared;
    this.#shared = shared;
    this.#hooks = hooks;
    this.link = new RoomLink(generation, socket, config.limits, config.socketHighWaterBytes, {
      sent: (bytes) => hooks.sent(bytes),
      dropped: (reason, message) => hooks.dropped(reason, message),
    });
    this.#table = new StreamTable(
      { ...shared, link: this.link },
      {
        started: (stream) => hooks.started(stream),
        finished: (stream, result) => hooks.finished(stream, result),
        refused: (ids, code, message) => hooks.refused(ids, code, message),
        dropped: (reason, message) => hooks.dropped(reason, message),
      },
    );
  }

  get activeStreams(): number {
    return this.#table.size;
  }

  /** The first frame on every new socket is the peer's own Hello (F9). */
  hello(): void {
    const { config, canStream } = this.#shared;
    const capabilities = ['http', 'websocket'];
    if (canStream) capabilities.push('request-streaming');
    this.link.send({
      kind: 'hello',
      body: {
        protocol: PROTOCOL_VERSION,
        role: 'peer',
        software: config.software,
        capabilities,
        limits: config.limits,
      },
    });
  }

  receive(data: unknown): void {
    this.link.pulse();
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else {
      this.#hooks.dropped('undecodable', null);
      return;
    }
    this.#hooks.received(bytes.byteLength);
    let message: Message;
    try {
      message = decodeMessage(bytes, this.link.limits.maxFrameSize);
    } catch (error) {
      this.#hooks.dropped('undecodable', null);
      if (isProtocolError(error)) this.#hooks.fault(error);
      return;
    }
    this.#route(message);
  }

  /** The socket is gone: its streams end without a word, its link sends nothing more. */
  close(): void {
    this.link.close();
    this.#table.endAll('link-lost');
  }

  /** The peer stops: the same, and the streams' outcome says so. */
  stop(): void {
    this.#table.endAll('stopped');
    this.link.close();
  }

  #route(message: Message): void {
    switch (message.kind) {
      case 'ping':
        // Answered here, in the message handler, never from a timer: a hidden
        // tab runs timers at most once a minute (F11).
        this.link.send({
          kind: 'pong',
          sentAt: message.sentAt,
          repliedAt: this.#shared.config.now(),
        });
        this.#hooks.pinged();
        return;
      case 'welcome':
        this.#welcome(message.body);
        return;
      case 'error':
        this.#hooks.roomError(message.body);
        return;
      case 'tenant-status':
        this.#hooks.tenantStatus(message.body);
        return;
      case 'stats':
        this.#hooks.roomStats(message.body);
        return;
      case 'request-head':
      case 'body':
      case 'end':
      case 'ws-open':
      case 'ws-message':
      case 'ws-close':
      case 'credit':
      case 'reset':
        if (!this.link.welcome) {
          this.#hooks.dropped('before-welcome', message);
          return;
        }
        this.#table.dispatch(message, this.#hooks.admission());
        return;
      default:
        this.#hooks.dropped('unexpected-type', message);
    }
  }

  #welcome(welcome: Welcome): void {
    if (this.link.welcome) {
      this.#hooks.dropped('unexpected-type', { kind: 'welcome', body: welcome });
      return;
    }
    const { tenant } = this.#shared.config;
    if (welcome.role !== 'peer' || welcome.tenant !== tenant) {
      this.#hooks.fault(
        new ProtocolError(
          'bad_frame',
          `Welcome for ${welcome.role} of ${welcome.tenant}, expected peer of ${tenant}`,
        ),
      );
    }
    this.link.accept(welcome);
    this.#hooks.welcomed(welcome);
  }
}
