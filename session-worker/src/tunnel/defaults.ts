/**
 * Every default of the tunnel's worker side, in one object. Durations are
 * milliseconds unless the name says seconds. `parseTunnelSettings` merges
 * overrides over these and names the first bad field.
 */
export const TUNNEL_DEFAULTS = Object.freeze({
  /** The room's party name: `/parties/<party>/<tenant>`. */
  party: 'tunnel',
  tokens: Object.freeze({
    /** A fresh worker token is signed for every connection attempt. */
    workerTtlSeconds: 120,
    /** Peer tokens the restaurant's backend hands its page; the page asks again on reconnects. */
    peerTtlSeconds: 600,
    /** Admin tokens for the inspection dashboard. */
    adminTtlSeconds: 900,
    /** The longest lifetime a caller may ask for a peer or admin token. */
    maxTtlSeconds: 3_600,
  }),
  link: Object.freeze({
    /** The worker pings its room this often, for the round trip and to notice silence. */
    pingIntervalMs: 20_000,
    /** With no frame from the room for this long the socket is presumed dead and replaced. */
    silenceMs: 50_000,
    /** A socket without Welcome by then is replaced. */
    handshakeTimeoutMs: 10_000,
    /**
     * How long a WhatsApp request of a tenant whose room has not yet said
     * who is there waits for that word before its route is decided, so a
     * tab that is already open carries the first login.
     */
    firstWordMs: 3_000,
    /** partysocket's backoff between attempts after a network failure. */
    minDelayMs: 1_000,
    maxDelayMs: 30_000,
    growFactor: 1.5,
    connectionTimeoutMs: 10_000,
    /** Body frames wait while the room socket holds more than this unsent. */
    highWaterBytes: 1024 * 1024,
    /** Round-trip samples kept for the worker-to-room figures. */
    rttSamples: 64,
  }),
  streams: Object.freeze({
    /**
     * Request body bytes kept while a replay-safe request crosses the
     * tunnel, so it can be sent direct if the tunnel fails before any of
     * the answer arrived. A larger body cannot be replayed.
     */
    replayLimitBytes: 32 * 1024 * 1024,
    /**
     * The peer enforces one deadline over the whole exchange and cannot
     * know the answer's size in advance: its deadline assumes an answer
     * this large. The worker's own deadline grows with the bytes that move.
     */
    responseAllowanceBytes: 64 * 1024 * 1024,
    /**
     * After the upstream of a tunneled WebSocket is lost, Baileys' socket
     * is kept this long for the route controller's own reconnect, then
     * closed, so a close the product did not start stays the exception.
     */
    lostSocketGraceMs: 3_000,
  }),
  routes: Object.freeze({
    /** The peer must have been ready this long before the WebSocket moves onto it. */
    healthyForMs: 30_000,
    /** ...and the WebSocket quiet (no frame either way) this long, with no request in flight. */
    quietMs: 1_500,
    /** Moves of the WebSocket onto the tunnel per rolling hour. */
    maxMovesPerHour: 6,
    /**
     * A tunneled WebSocket with no frame from WhatsApp for this long moves
     * direct. Baileys (keepAliveIntervalMs 30 s) closes with 408 once 35 s
     * pass without a frame, checked on each 30 s tick, and WhatsApp answers
     * each keepalive ping, so a healthy connection is never silent for more
     * than one interval plus a round trip.
     */
    upstreamSilenceMs: 33_000,
    /**
     * A tunnel whose round trip p95 (the room's pings of its peers, or the
     * WebSocket's own request-to-answer time) passes this moves direct and
     * is not used again until it is back under it for `healthyForMs`.
     * Baileys allows 5 s beyond its keepalive interval for an answer.
     */
    rttP95LimitMs: 3_000,
    /** Samples needed before a round-trip p95 counts. */
    rttMinSamples: 5,
    /** How often the controller looks again while it waits. */
    recheckMs: 1_000,
    /** A reconnect the controller asked for that has not finished by then is given up. */
    moveTimeoutMs: 30_000,
    /** Route changes kept in the stats. */
    changesKept: 50,
  }),
  /** Status changes within this window go to the room as one TenantStatus. */
  statusDebounceMs: 50,
});

type Widen<T> = {
  -readonly [K in keyof T]: T[K] extends number
    ? number
    : T[K] extends string
      ? string
      : Widen<T[K]>;
};

/** The tunnel's settings: the defaults' shape, every value overridable. */
export type TunnelSettings = Widen<typeof TUNNEL_DEFAULTS>;
export type LinkSettings = TunnelSettings['link'];
export type StreamSettings = TunnelSettings['streams'];
export type RouteSettings = TunnelSettings['routes'];
export type TokenSettings = TunnelSettings['tokens'];
