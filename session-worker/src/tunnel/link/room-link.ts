import { EventEmitter } from 'node:events';
import {
  decodeMessage,
  encodeMessage,
  framePriority,
  isProtocolError,
  PROTOCOL_VERSION,
} from '@pasarela/shared';
import type {
  Limits,
  Message,
  Presence,
  StatsBody,
  StreamMessage,
  Welcome,
} from '@pasarela/shared';
import type { PartySocket } from 'partysocket';
import type { RoomEndpoint } from '../config.js';
import type { LinkSettings } from '../defaults.js';
import { refusalKind, refusalProblem, socketProblem } from './problem.js';
import type { LinkProblem } from './problem.js';
import { openRoomSocket } from './room-socket.js';
import { LinkSender } from './sender.js';
import type { RoomSocketClass } from './room-socket.js';
import { SampleWindow } from './samples.js';
import type { SampleFigures } from './samples.js';

/** Lifecycle of a tenant's link to its room; transitions happen in `#move` only. */
export type LinkStatus = 'connecting' | 'open' | 'down' | 'fenced' | 'closed';

export interface LinkState {
  readonly status: LinkStatus;
  /** Why it is not open (null while open or before the first attempt). */
  readonly problem: LinkProblem | null;
  readonly since: number;
}

/** Frames the link did not deliver or could not send, by reason. */
export type LinkDrop = 'link-down' | 'undecodable' | 'before-welcome' | 'unexpected';

export interface RoomLinkEvents {
  state: [LinkState];
  open: [Welcome];
  presence: [Presence];
  stats: [StatsBody];
  stream: [StreamMessage];
  /** The socket that carried this generation is gone; its streams are over. */
  'generation-ended': [number];
  dropped: [LinkDrop];
}

export interface RoomLinkOptions {
  readonly tenant: string;
  readonly room: RoomEndpoint;
  readonly party: string;
  /** A fresh worker token for each attempt; throws when no lease is held. */
  readonly token: () => Promise<string>;
  readonly WebSocket: RoomSocketClass;
  readonly settings: LinkSettings;
  readonly limits: Limits;
  readonly software: string;
  /** Allocates connection ids for this tenant; never the same twice. */
  readonly nextConnectionId: () => number;
  readonly now?: () => number;
}

/**
 * One tenant's connection to its room, over partysocket: the Hello and
 * Welcome, the room's word on its peers (Presence, Stats), pings for the
 * round trip, and the stream frames in both directions, with control
 * frames sent before body chunks. A room that cannot be reached, refuses
 * the worker or stops answering only changes this link's state; it never
 * throws and never touches another tenant.
 */
export class RoomLink {
  readonly events = new EventEmitter<RoomLinkEvents>();
  readonly tenant: string;
  readonly #options: RoomLinkOptions;
  readonly #now: () => number;
  readonly #sender: LinkSender;
  readonly #rtt: SampleWindow;
  #socket: PartySocket | null = null;
  #state: LinkState;
  #stage: 'idle' | 'handshaking' | 'open' = 'idle';
  #generation = 0;
  #limits: Limits;
  #welcome: Welcome | null = null;
  #presence: Presence | null = null;
  #roomStats: StatsBody | null = null;
  #lastFrameAt = 0;
  #lastPongAt: number | null = null;
  #openedAt: number | null = null;
  #refusals = 0;
  #tokenError: Error | null = null;
  #pingTimer: NodeJS.Timeout | undefined;
  #handshakeTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: RoomLinkOptions) {
    this.#options = options;
    this.tenant = options.tenant;
    this.#now = options.now ?? Date.now;
    this.#limits = options.limits;
    this.#rtt = new SampleWindow(options.settings.rttSamples);
    this.#sender = new LinkSender(options.settings.highWaterBytes);
    this.#state = { status: 'connecting', problem: null, since: this.#now() };
  }

  get state(): LinkState {
    return this.#state;
  }

  get isOpen(): boolean {
    return this.#stage === 'open';
  }

  /** The connection id of this socket's HTTP streams; 0 while not open. */
  get generation(): number {
    return this.#generation;
  }

  get limits(): Limits {
    return this.#limits;
  }

  get welcome(): Welcome | null {
    return this.#welcome;
  }

  /** The room's latest Presence on the open socket; null while not open. */
  get presence(): Presence | null {
    return this.isOpen ? this.#presence : null;
  }

  get roomStats(): StatsBody | null {
    return this.#roomStats;
  }

  get lastPongAt(): number | null {
    return this.#lastPongAt;
  }

  get openedAt(): number | null {
    return this.#openedAt;
  }

  /** Worker-to-room round trips of the link's own pings. */
  rtt(): SampleFigures {
    return this.#rtt.figures();
  }

  start(): void {
    if (this.#socket || this.#state.status === 'closed') return;
    const socket = openRoomSocket({
      room: this.#options.room,
      party: this.#options.party,
      tenant: this.tenant,
      query: () => this.#query(),
      WebSocket: this.#options.WebSocket,
      settings: this.#options.settings,
    });
    socket.addEventListener('open', () => this.#onOpen());
    socket.addEventListener('message', (event) => this.#onMessage(event.data));
    socket.addEventListener('close', (event) => this.#onClose(event.code));
    socket.addEventListener('error', (event) => {
      const { error, message } = event as unknown as { error?: unknown; message?: string };
      this.#onError(error, message);
    });
    this.#socket = socket;
    this.#pingTimer = setInterval(() => this.#tick(), this.#options.settings.pingIntervalMs);
    this.#pingTimer.unref();
  }

  /** Leaves the room for good. */
  close(): void {
    if (this.#state.status === 'closed') return;
    this.#move('closed', null);
    this.#clearTimers();
    this.#endGeneration();
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'worker stopped');
    this.#sender.use(null);
  }

  /** Encodes and queues a frame; false (and counted) when the link is not open. */
  send(message: Message): boolean {
    if (this.#stage !== 'open') {
      this.events.emit('dropped', 'link-down');
      return false;
    }
    const frame = encodeMessage(message, this.#limits.maxFrameSize);
    // End closes a body: it waits behind that body's chunks in the bulk
    // lane, where the shared outbox would otherwise let it overtake them.
    this.#sender.push(frame, message.kind === 'end' ? 'bulk' : framePriority(frame[1] ?? 0));
    return true;
  }

  /** Whether a body chunk may go now without growing the send buffer past its mark. */
  writable(): boolean {
    return this.#sender.writable();
  }

  /** Resolves once `writable()` (or once the link is no longer open). */
  whenWritable(): Promise<void> {
    return this.#sender.whenWritable();
  }

  async #query(): Promise<Record<string, string>> {
    try {
      const token = await this.#options.token();
      this.#tokenError = null;
      return { token };
    } catch (error) {
      this.#tokenError = error as Error;
      throw error;
    }
  }

  #onOpen(): void {
    this.#stage = 'handshaking';
    this.#sender.use(null);
    this.#lastFrameAt = this.#now();
    const hello: Message = {
      kind: 'hello',
      body: {
        protocol: PROTOCOL_VERSION,
        role: 'worker',
        software: this.#options.software,
        capabilities: ['http', 'websocket'],
        limits: this.#options.limits,
      },
    };
    // The first frame on every new socket is the worker's own Hello.
    this.#socket?.send(
      encodeMessage(hello, this.#options.limits.maxFrameSize) as Uint8Array<ArrayBuffer>,
    );
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = setTimeout(
      () => this.#replace({ code: 'handshake_timeout', reason: 'room did not welcome the worker' }),
      this.#options.settings.handshakeTimeoutMs,
    );
    this.#handshakeTimer.unref();
  }

  #onMessage(data: unknown): void {
    this.#lastFrameAt = this.#now();
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : toBytes(data);
    if (!bytes) {
      this.events.emit('dropped', 'undecodable');
      return;
    }
    const limit =
      this.#stage === 'open' ? this.#limits.maxFrameSize : this.#options.limits.maxFrameSize;
    let message: Message;
    try {
      message = decodeMessage(bytes, limit);
    } catch (error) {
      if (!isProtocolError(error)) throw error;
      this.events.emit('dropped', 'undecodable');
      return;
    }
    switch (message.kind) {
      case 'welcome':
        this.#onWelcome(message.body);
        return;
      case 'error':
        this.#onRefusal(message.body.code);
        return;
      case 'pong':
        this.#lastPongAt = this.#now();
        this.#rtt.add(this.#now() - message.sentAt);
        return;
      case 'ping':
        this.send({ kind: 'pong', sentAt: message.sentAt, repliedAt: this.#now() });
        return;
      default:
        break;
    }
    if (this.#stage !== 'open') {
      this.events.emit('dropped', 'before-welcome');
      return;
    }
    switch (message.kind) {
      case 'presence':
        this.#presence = message.body;
        this.events.emit('presence', message.body);
        return;
      case 'stats':
        this.#roomStats = message.body;
        this.events.emit('stats', message.body);
        return;
      case 'hello':
      case 'peer-state':
      case 'tenant-status':
        this.events.emit('dropped', 'unexpected');
        return;
      default:
        this.events.emit('stream', message);
    }
  }

  #onWelcome(welcome: Welcome): void {
    if (
      this.#stage !== 'handshaking' ||
      welcome.role !== 'worker' ||
      welcome.tenant !== this.tenant
    ) {
      this.#replace({ code: 'bad_welcome', reason: 'room answered for another tenant or role' });
      return;
    }
    clearTimeout(this.#handshakeTimer);
    this.#stage = 'open';
    this.#refusals = 0;
    this.#welcome = welcome;
    this.#limits = welcome.limits;
    this.#generation = this.#options.nextConnectionId();
    this.#openedAt = this.#now();
    this.#presence = null;
    this.#sender.use(this.#socket);
    this.#move('open', null);
    this.events.emit('open', welcome);
    this.#ping();
  }

  /** The room's Error frame always comes before a close it starts; act on it, not on the close. */
  #onRefusal(code: string): void {
    const problem = refusalProblem(code);
    const kind = refusalKind(code);
    this.#endGeneration();
    this.#socket?.close(1000, 'refused');
    if (kind === 'fenced') {
      this.#move('fenced', problem);
      this.#clearTimers();
      return;
    }
    this.#move('down', problem);
    const { minDelayMs, maxDelayMs, growFactor } = this.#options.settings;
    this.#refusals += 1;
    const delay =
      kind === 'misconfigured'
        ? maxDelayMs
        : Math.min(maxDelayMs, minDelayMs * growFactor ** (this.#refusals - 1));
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      if (this.#state.status === 'down') this.#socket?.reconnect();
    }, delay);
    this.#retryTimer.unref();
  }

  #onClose(code: number): void {
    const wasOpen = this.#stage !== 'idle';
    this.#endGeneration();
    if (!wasOpen) return;
    const status = this.#state.status;
    if (status === 'open' || status === 'connecting') {
      this.#move('connecting', { code: `closed_${code}`, reason: 'room closed the link' });
    }
  }

  #onError(error: unknown, message: string | undefined): void {
    this.#endGeneration();
    const status = this.#state.status;
    if (status === 'fenced' || status === 'closed') return;
    const problem = this.#tokenError
      ? { code: 'token_unavailable', reason: 'no worker token (lease not held)' }
      : socketProblem(error, message);
    this.#move('down', problem);
  }

  /** Every ping interval: a Ping for the round trip, and a dead socket noticed by its silence. */
  #tick(): void {
    if (this.#stage !== 'open') return;
    if (this.#now() - this.#lastFrameAt > this.#options.settings.silenceMs) {
      this.#replace({ code: 'room_silent', reason: 'room stopped answering' });
      return;
    }
    this.#ping();
  }

  #ping(): void {
    this.send({ kind: 'ping', sentAt: this.#now() });
  }

  /** Drops the current socket and tries again at once with a fresh token. */
  #replace(problem: LinkProblem): void {
    if (this.#state.status === 'closed' || this.#state.status === 'fenced') return;
    this.#endGeneration();
    this.#move('down', problem);
    this.#socket?.reconnect(1000, problem.code);
  }

  #endGeneration(): void {
    clearTimeout(this.#handshakeTimer);
    const ended = this.#stage === 'open' ? this.#generation : 0;
    this.#stage = 'idle';
    this.#generation = 0;
    this.#presence = null;
    this.#openedAt = null;
    this.#sender.use(null);
    if (ended !== 0) this.events.emit('generation-ended', ended);
  }

  #move(status: LinkStatus, problem: LinkProblem | null): void {
    const previous = this.#state;
    if (previous.status === status && previous.problem?.code === problem?.code) return;
    this.#state = { status, problem, since: this.#now() };
    this.events.emit('state', this.#state);
  }

  #clearTimers(): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#retryTimer);
  }
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}
