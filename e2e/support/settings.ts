import { SESSION_DEFAULTS } from '@pasarela/session-worker/sessions';
import { API_DEFAULTS } from '../../session-worker/src/config/defaults.js';
import { parseTunnelSettings } from '@pasarela/session-worker/tunnel';

/**
 * The configuration of the suite's product, in one place. The session
 * worker runs on the product's session defaults (Baileys' own keepalive,
 * connect and query limits); the room pings every second and the worker's
 * hysteresis is two seconds, so the day fits in minutes. Every bound a
 * scenario waits with is derived below from these numbers.
 */
export const ROOM_CONFIG = {
  pingIntervalMs: 1_000,
  goneAfterMissedPings: 3,
  handshakeTimeoutMs: 3_000,
  statsFlushMs: 500,
  heartbeatPersistMs: 2_000,
  indexUpdateMs: 1_000,
  logLevel: 'warn',
} as const;

export const TUNNEL_OVERRIDES = {
  link: {
    pingIntervalMs: 1_000,
    silenceMs: 5_000,
    handshakeTimeoutMs: 3_000,
    minDelayMs: 100,
    maxDelayMs: 1_000,
    connectionTimeoutMs: 3_000,
  },
  routes: { healthyForMs: 2_000, quietMs: 300, recheckMs: 100 },
  statusDebounceMs: 20,
} as const;

export const TUNNEL = parseTunnelSettings(TUNNEL_OVERRIDES);

/** What the restaurant pages' peers are tuned to (the backend hands it to the pages). */
export const PEER_TUNING = {
  handshakeTimeoutMs: 3_000,
  probeTimeoutMs: 5_000,
  roomSilenceMs: 5_000,
  reconnect: { minDelayMs: 100, maxDelayMs: 1_000, connectionTimeoutMs: 3_000 },
} as const;

export const SESSION = SESSION_DEFAULTS;

/** A room notices a silent peer within its missed pings, one interval early and one late. */
const goneMs = ROOM_CONFIG.pingIntervalMs * (ROOM_CONFIG.goneAfterMissedPings + 2);
/** A page's peer: a connection attempt, the handshake, its leg probes, its first pong. */
const joinMs =
  PEER_TUNING.reconnect.connectionTimeoutMs +
  PEER_TUNING.handshakeTimeoutMs +
  PEER_TUNING.probeTimeoutMs +
  2 * ROOM_CONFIG.pingIntervalMs;
/** One WhatsApp login of Baileys (handshake and login under its connect limit). */
const loginMs = SESSION.connectTimeoutMs;
/** A status change reaching the worker, the room and every page, and being read there. */
const statusMs = TUNNEL.statusDebounceMs + 2 * ROOM_CONFIG.pingIntervalMs;

export const BOUNDS = {
  goneMs,
  joinMs,
  statusMs,
  /** The worker shows a QR: a registration socket up. */
  qrMs: 2 * loginMs,
  /** Scan to connected: pair-success, the 515 restart, the login with saved creds. */
  pairedMs: 3 * loginMs,
  /**
   * A ready tab to WhatsApp on it: the page joins, the peer stays ready for
   * the hysteresis, the WebSocket is quiet, the controller looks, Baileys
   * logs in again.
   */
  ontoTunnelMs:
    joinMs +
    TUNNEL.routes.healthyForMs +
    TUNNEL.routes.quietMs +
    TUNNEL.routes.recheckMs +
    loginMs +
    statusMs,
  /** A tab gone (closed, or its line silent) to WhatsApp direct: the room's verdict and a login. */
  failoverMs: goneMs + TUNNEL.routes.recheckMs + loginMs + statusMs,
  /** A message either way: the worker's send waits this long for WhatsApp's ack. */
  messageMs: API_DEFAULTS.sendAckTimeoutMs,
} as const;
