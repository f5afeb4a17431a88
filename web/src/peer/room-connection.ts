import { errorCodeForClose } from '@pasarela/shared';
import type { ErrorCode } from '@pasarela/shared';
import { PartySocket } from 'partysocket';
import type { PeerConfig } from './config.js';
import type { SocketEvent } from './runtime.js';
import { SOCKET_CONNECTING } from './runtime.js';

/** Close codes after which trying again cannot help until someone acts. */
const FATAL_CLOSES = new Set<ErrorCode>(['replaced', 'version_mismatch']);

export interface SocketLoss {
  readonly closeCode?: number;
  readonly errorCode?: ErrorCode;
  readonly fatal: boolean;
  readonly willRetry: boolean;
}

export interface RoomConnectionHandlers {
  attempt(): void;
  open(): void;
  message(data: unknown): void;
  /** The open socket closed, or an attempt failed before opening. */
  lost(wasOpen: boolean, loss: SocketLoss): void;
}

/**
 * The peer's socket to its tenant's room, on partysocket: its backoff, a
 * fresh token per attempt (`query` is called on every attempt), and
 * `maxEnqueuedMessages: 0` so nothing sent while down is replayed into the
 * next socket (F9). partysocket does not say when its retries ran out, so
 * its count is mirrored here: it resets on `reconnect()` and once a socket
 * has stayed open for `minUptimeMs`.
 */
export class RoomConnection {
  readonly #config: PeerConfig;
  readonly #handlers: RoomConnectionHandlers;
  readonly #socket: PartySocket;
  #retries = -1;
  #open = false;
  #attemptSettled = true;
  #fatal: ErrorCode | null = null;
  #stopped = false;
  #uptime: ReturnType<typeof setTimeout> | undefined;

  constructor(config: PeerConfig, handlers: RoomConnectionHandlers) {
    this.#config = config;
    this.#handlers = handlers;
    const { reconnect } = config;
    this.#socket = new PartySocket({
      host: config.host,
      ...(config.protocol ? { protocol: config.protocol } : {}),
      party: config.party,
      room: config.tenant,
      query: async () => {
        this.#retries += 1;
        this.#attemptSettled = false;
        this.#handlers.attempt();
        return { token: await config.getToken() };
      },
      WebSocket: config.WebSocket,
      maxEnqueuedMessages: 0,
      startClosed: true,
      minReconnectionDelay: reconnect.minDelayMs,
      maxReconnectionDelay: reconnect.maxDelayMs,
      reconnectionDelayGrowFactor: reconnect.growFactor,
      connectionTimeout: reconnect.connectionTimeoutMs,
      maxRetries: reconnect.maxRetries,
      minUptime: reconnect.minUptimeMs,
      shouldReconnectOnClose: (event) => !this.#isFatal(event.code),
    });
    this.#socket.binaryType = 'arraybuffer';
    this.#socket.addEventListener('open', () => this.#onOpen());
    this.#socket.addEventListener('message', (event) => {
      this.#handlers.message((event as SocketEvent).data);
    });
    this.#socket.addEventListener('close', (event) => this.#onFailure(event as SocketEvent));
    this.#socket.addEventListener('error', () => this.#onFailure(null));
  }

  /** The socket frames go out on; sends are dropped while it is not open. */
  get socket(): PartySocket {
    return this.#socket;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Whether an attempt is under way right now (not waiting in backoff, not given up). */
  get isConnecting(): boolean {
    return !this.#open && this.#socket.readyState === SOCKET_CONNECTING;
  }

  get fatal(): ErrorCode | null {
    return this.#fatal;
  }

  start(): void {
    this.reconnect();
  }

  /** Starts over now, with a fresh retry count, even after the retries ran out (F7). */
  reconnect(): void {
    if (this.#stopped) return;
    this.#fatal = null;
    this.#retries = -1;
    this.#socket.reconnect(1000, 'reconnect');
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#uptime);
    this.#socket.close(1000, 'peer stopped');
  }

  #isFatal(code: number): boolean {
    const named = errorCodeForClose(code);
    return named !== undefined && FATAL_CLOSES.has(named);
  }

  #onOpen(): void {
    this.#open = true;
    this.#attemptSettled = true;
    this.#uptime = setTimeout(() => {
      this.#retries = 0;
    }, this.#config.reconnect.minUptimeMs);
    this.#handlers.open();
  }

  #onFailure(event: SocketEvent | null): void {
    // partysocket reports one failure as a close, an error, or both.
    const wasOpen = this.#open;
    if (!wasOpen && this.#attemptSettled) return;
    this.#open = false;
    this.#attemptSettled = true;
    clearTimeout(this.#uptime);
    const closeCode = event?.code;
    const errorCode = closeCode === undefined ? undefined : errorCodeForClose(closeCode);
    const fatal = closeCode !== undefined && this.#isFatal(closeCode);
    if (fatal && errorCode) this.#fatal = errorCode;
    const willRetry = !this.#stopped && !fatal && this.#retries < this.#config.reconnect.maxRetries;
    this.#handlers.lost(wasOpen, {
      ...(closeCode === undefined ? {} : { closeCode }),
      ...(errorCode === undefined ? {} : { errorCode }),
      fatal,
      willRetry,
    });
  }
}
