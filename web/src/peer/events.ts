import type {
  ErrorBody,
  ErrorCode,
  Leg,
  Legs,
  PeerState,
  StatsBody,
  TenantStatus,
  Welcome,
} from '@pasarela/shared';
import type { DropReason } from './stats.js';

/** The peer's lifecycle, in one place (see `RelayPeer`). */
export type PeerStatus =
  /** Created, `start()` not called yet. */
  | 'idle'
  /** Waiting for a room socket: an attempt or partysocket's backoff between attempts. */
  | 'connecting'
  /** The room socket is open and Hello went out; waiting for Welcome. */
  | 'handshaking'
  /** Welcome received: the peer serves its tenant. */
  | 'connected'
  /** No attempt will follow: retries ran out, or the room refused for good. */
  | 'offline'
  /** `stop()` was called. */
  | 'stopped';

export interface StatusEvent {
  readonly status: PeerStatus;
  /** Why the last room socket ended, when this status follows a loss. */
  readonly closeCode?: number;
  /** The catalogue code of that close, or of the room's last Error frame. */
  readonly errorCode?: ErrorCode;
  /** A page-wake, the silence watchdog, or a caller's `reconnect()` caused a new attempt. */
  readonly cause?: 'focus' | 'visible' | 'online' | 'room-silent' | 'handshake-timeout' | 'caller';
  /** For `connecting`/`offline` after a loss: whether partysocket will try again by itself. */
  readonly willRetry?: boolean;
}

export type StreamKind = 'http' | 'websocket';

export interface StreamStartEvent {
  readonly streamId: number;
  readonly connectionId: number;
  readonly kind: StreamKind;
  readonly leg: Leg;
  /** HTTP method, or `GET` for a WebSocket upgrade. */
  readonly method: string;
  /** The WhatsApp host asked for (never a URL with its query). */
  readonly host: string;
}

/** `ok`: completed; `closed`: an upstream WebSocket closed normally by either side. */
export type StreamOutcome = 'ok' | 'closed' | 'worker-reset' | 'link-lost' | 'stopped' | ErrorCode;

export interface StreamEndEvent extends StreamStartEvent {
  readonly outcome: StreamOutcome;
  /** HTTP status the upstream gave (0 for an opaque redirect), when any. */
  readonly status?: number;
  /** Bytes sent to the upstream (request body or WebSocket messages). */
  readonly bytesSent: number;
  /** Bytes received from the upstream (response body or WebSocket messages). */
  readonly bytesReceived: number;
  readonly durationMs: number;
}

export interface DroppedFrameEvent {
  readonly reason: DropReason;
  readonly frameType: string;
  readonly streamId: number;
  readonly connectionId: number;
}

export interface PeerErrorEvent {
  readonly code: ErrorCode;
  readonly message: string;
  readonly streamId?: number;
}

export interface PeerEventMap {
  status: StatusEvent;
  welcome: Welcome;
  /** The room's Error frame (sent before it closes a socket). */
  'room-error': ErrorBody;
  'tenant-status': TenantStatus;
  'room-stats': StatsBody;
  state: PeerState;
  legs: Legs;
  'stream-start': StreamStartEvent;
  'stream-end': StreamEndEvent;
  dropped: DroppedFrameEvent;
  /** A fault the peer handled: a stream reset with a code, an undecodable frame. */
  error: PeerErrorEvent;
}

export type PeerListener<K extends keyof PeerEventMap> = (event: PeerEventMap[K]) => void;

/** A small typed emitter that runs in browsers and Node alike. */
export class Emitter<M extends object> {
  #listeners = new Map<keyof M, Set<(event: never) => void>>();

  on<K extends keyof M>(name: K, listener: (event: M[K]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) {
      set = new Set();
      this.#listeners.set(name, set);
    }
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  off<K extends keyof M>(name: K, listener: (event: M[K]) => void): void {
    this.#listeners.get(name)?.delete(listener as (event: never) => void);
  }

  emit<K extends keyof M>(name: K, event: M[K]): void {
    const set = this.#listeners.get(name);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as (event: M[K]) => void)(event);
      } catch (error) {
        // A page's listener must not break frame handling; its fault still
        // reaches the page's own error reporting.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

/** The peer's own events. */
export class PeerEvents extends Emitter<PeerEventMap> {}
