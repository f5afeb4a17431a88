// No imports here: the Vitest config files read this too, before any TypeScript
// workspace package can be loaded.

/**
 * The room configuration every target runs the suite with: short intervals,
 * so health and flush behaviour show within seconds, and small caps, so the
 * limits can be reached. Every wait in the suite is derived from it.
 */
export const TEST_BROKER_OVERRIDES = {
  pingIntervalMs: 500,
  goneAfterMissedPings: 3,
  degradedRttMs: 400,
  handshakeTimeoutMs: 3_000,
  statsFlushMs: 400,
  heartbeatPersistMs: 2_000,
  maxOpenStreams: 8,
  maxPeers: 6,
  indexUpdateMs: 1_000,
  logLevel: 'warn',
} as const;
