import type { EgressPolicy } from '@pasarela/shared';

export type GuardMode = 'refuse' | 'record';

/** Time limits of the egress; each egress may narrow them (tests do). */
export interface EgressDeadlines {
  /**
   * Time every HTTP exchange gets, head and body included, before its size
   * is counted: the deadline covers the whole exchange, not the headers.
   */
  readonly exchangeBaseMs: number;
  /**
   * The slowest transfer rate allowed; each byte of a known or received
   * body adds its share, so a large video is not cut off.
   */
  readonly minBytesPerSecond: number;
  /**
   * The WebSocket opening handshake. Below Baileys' 20 s `connectTimeoutMs`,
   * so a stalled upgrade fails with the egress's coded error first.
   */
  readonly upgradeTimeoutMs: number;
  /** Name lookup, TCP and TLS of one direct connection. */
  readonly connectTimeoutMs: number;
}

/** Every default of the egress, in one place. */
export const EGRESS_DEFAULTS = Object.freeze({
  /**
   * Policy for tenants that chose none. Restaurants opt in to the tunnel
   * (its pages say the open tab carries their traffic), so direct.
   */
  defaultPolicy: 'direct' as EgressPolicy,
  /** What the process guards do with tenant-less WhatsApp-bound traffic. */
  guardMode: 'refuse' as GuardMode,
  deadlines: Object.freeze({
    exchangeBaseMs: 30_000,
    minBytesPerSecond: 64 * 1024,
    upgradeTimeoutMs: 15_000,
    connectTimeoutMs: 10_000,
  }) satisfies EgressDeadlines,
  /** Audit records kept for inspection (the counters keep everything). */
  auditRecentLimit: 500,
  /** Bytes an in-process connection buffers per direction before a writer waits. */
  pairHighWaterMark: 64 * 1024,
  /**
   * Idle keep-alive of the two faces' in-process connections. Shorter than
   * the in-process server's, so a client never reuses a connection the
   * server is closing.
   */
  faceIdleMs: 10_000,
  frontIdleMs: 60_000,
  /** Idle keep-alive of direct connections to a host. */
  directIdleMs: 30_000,
});
