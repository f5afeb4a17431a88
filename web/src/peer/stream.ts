import type { Leg, StreamMessage } from '@pasarela/shared';
import type { InFlightBudget } from './budget.js';
import type { PeerConfig } from './config.js';
import type { StreamKind, StreamOutcome } from './events.js';
import type { RoomLink } from './link.js';

/** How a request body reaches an origin: streamed (`duplex: 'half'`) or whole. */
export type BodyMode = 'stream' | 'buffer';

/** What every stream of one room socket shares. */
export interface StreamContext {
  readonly link: RoomLink;
  readonly config: PeerConfig;
  readonly budget: InFlightBudget;
  /** Per upstream origin, what request-body delivery worked there; kept across sockets. */
  readonly bodyModes: Map<string, BodyMode>;
  /** Whether this runtime accepts a stream as a request body at all. */
  readonly canStream: boolean;
}

export interface StreamIds {
  readonly streamId: number;
  readonly connectionId: number;
}

export interface StreamResult {
  readonly outcome: StreamOutcome;
  readonly status?: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** Ways a stream ends with nothing more owed to the worker. */
export type SilentEnd = 'worker-reset' | 'link-lost' | 'stopped';

/** One relayed HTTP exchange or upstream WebSocket. */
export interface RelayStream extends StreamIds {
  readonly kind: StreamKind;
  readonly leg: Leg;
  readonly method: string;
  readonly host: string;
  start(): void;
  /** A frame of this stream from the room (ids already checked). */
  handle(message: StreamMessage): void;
  /** Ends the stream at once, sending nothing. */
  end(cause: SilentEnd): void;
}

export type FinishListener = (result: StreamResult) => void;
