import type { TokenKeySet } from '@pasarela/shared';
import type { BrokerConfig } from '../../src/core/config.js';
import { parseBrokerConfig } from '../../src/core/config.js';
import { TEST_BROKER_OVERRIDES } from './overrides.js';

export { TEST_BROKER_OVERRIDES };

/** One WebSocket as a test sees it, whatever runtime or client library is behind it. */
export interface TestSocket {
  send(data: Uint8Array | string): void;
  /** A clean close from the client side. */
  close(code?: number, reason?: string): void;
  /** Drops the connection without a close frame, as a crashed tab would. */
  terminate(): void;
  onMessage(listener: (bytes: Uint8Array | string) => void): void;
  /** Settles with the close code the room sent (or 1006 when the link broke). */
  readonly closed: Promise<{ code: number }>;
}

/** A broker under test: the same behaviour suite runs against every one of them. */
export interface BehaviourTarget {
  readonly name: string;
  readonly config: BrokerConfig;
  readonly keys: TokenKeySet;
  /** Opens a WebSocket to a path such as `/parties/tunnel/<tenant>?token=…`. */
  open(path: string): Promise<TestSocket>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Drops every socket and the room's memory, keeping storage, as a deploy or crash would. */
  restart(): Promise<void>;
}

export const TEST_BROKER_CONFIG: BrokerConfig = parseBrokerConfig(
  JSON.stringify(TEST_BROKER_OVERRIDES),
);

/** Every bound a test waits with, from the configuration above. */
export function boundsFor(config: BrokerConfig) {
  return {
    /** A frame relayed or answered by the room: the room's own handshake allowance. */
    frameMs: config.handshakeTimeoutMs,
    /**
     * A silent peer must be judged gone within its missed pings, plus one
     * interval before the first unanswered ping and two of slack.
     */
    goneMs: config.pingIntervalMs * (config.goneAfterMissedPings + 3),
    /** Counters reach storage within one flush interval plus one ping interval. */
    flushMs: config.statsFlushMs + config.pingIntervalMs,
    /** A health change shows after at most two ping rounds and the frame allowance. */
    healthMs: config.pingIntervalMs * 2 + config.handshakeTimeoutMs,
  };
}

export type Bounds = ReturnType<typeof boundsFor>;
