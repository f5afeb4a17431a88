import { PROTOCOL_DEFAULTS } from '@pasarela/shared';
import type { HeaderList, Limits } from '@pasarela/shared';
import type { FetchLike, PageSignals, WebSocketConstructor } from './runtime.js';
import type { DevHostMap } from './targets.js';

export interface HttpProbe {
  readonly url: string;
  readonly method: string;
  readonly headers: HeaderList;
}

export interface WebSocketProbe {
  readonly url: string;
}

/** A harmless request per leg, made on join to learn which legs this page can serve. */
export interface ProbeTargets {
  readonly websocket: WebSocketProbe | null;
  readonly download: HttpProbe | null;
  readonly upload: HttpProbe | null;
}

/** partysocket's backoff, named. */
export interface ReconnectSettings {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly growFactor: number;
  /** An attempt that has not opened by then counts as failed. */
  readonly connectionTimeoutMs: number;
  /** Attempts after the first before giving up; a page wake or `reconnect()` starts again. */
  readonly maxRetries: number;
  /** A socket that stayed open this long resets the retry count. */
  readonly minUptimeMs: number;
}

export interface PeerDefaults {
  readonly party: string;
  readonly software: string;
  readonly limits: Limits;
  readonly maxStreams: number;
  /** Response-body bytes sent to the room and not yet credited back, over all streams. */
  readonly maxBytesInFlight: number;
  /** The largest request body the peer holds whole when it cannot stream one. */
  readonly maxBufferedBodyBytes: number;
  /** Request bodies of a known length up to this are sent whole, never streamed. */
  readonly bufferBodiesUpTo: number;
  /** Body chunks wait while the room socket holds more than this unsent. */
  readonly socketHighWaterBytes: number;
  readonly requestStreaming: 'auto' | 'never';
  readonly handshakeTimeoutMs: number;
  /** With no frame from the room for this long, the socket is presumed dead and replaced. */
  readonly roomSilenceMs: number;
  readonly probeTimeoutMs: number;
  /** Probe results younger than this are reused when the peer joins again. */
  readonly reprobeAfterMs: number;
  /**
   * A leg a probe found unavailable for a network failure or a timeout is
   * probed again after this, doubling up to `reprobeAfterMs` while it fails.
   */
  readonly probeRetryMs: number;
  readonly reconnect: ReconnectSettings;
  readonly probes: ProbeTargets;
}

/** Every default of the peer, in one object. */
export const PEER_DEFAULTS: PeerDefaults = Object.freeze({
  party: 'tunnel',
  software: 'pasarela-web-peer/0.1.0',
  limits: PROTOCOL_DEFAULTS,
  maxStreams: 64,
  maxBytesInFlight: 8 * 1024 * 1024,
  maxBufferedBodyBytes: 64 * 1024 * 1024,
  bufferBodiesUpTo: 256 * 1024,
  socketHighWaterBytes: 1024 * 1024,
  requestStreaming: 'auto',
  handshakeTimeoutMs: 10_000,
  // The room pings every 20 to 30 s; three missed pings mean a dead socket.
  roomSilenceMs: 90_000,
  probeTimeoutMs: 10_000,
  reprobeAfterMs: 10 * 60_000,
  probeRetryMs: 30_000,
  reconnect: Object.freeze({
    minDelayMs: 1_000,
    maxDelayMs: 30_000,
    growFactor: 1.5,
    connectionTimeoutMs: 10_000,
    maxRetries: Number.POSITIVE_INFINITY,
    minUptimeMs: 5_000,
  }),
  probes: Object.freeze({
    websocket: { url: 'wss://web.whatsapp.com/ws/chat' },
    download: { url: 'https://mmg.whatsapp.net/', method: 'GET', headers: [] },
    // An empty binary POST needs the same CORS preflight a real upload does.
    upload: {
      url: 'https://mmg.whatsapp.net/',
      method: 'POST',
      headers: [['Content-Type', 'application/octet-stream']] as HeaderList,
    },
  }),
});

export interface PeerOptions {
  /** The room host, e.g. `rooms.example.com` or `127.0.0.1:8787`. */
  readonly host: string;
  /** Defaults to `ws` for loopback and private hosts and `wss` otherwise (partysocket's rule). */
  readonly protocol?: 'ws' | 'wss';
  readonly tenant: string;
  /** Called before every connection attempt; returns a fresh short-lived peer token. */
  readonly getToken: () => string | Promise<string>;
  readonly WebSocket?: WebSocketConstructor;
  readonly fetch?: FetchLike;
  /** Page-lifecycle events; `null` turns them off. Defaults to the browser's page. */
  readonly page?: PageSignals | null;
  /** `development` is required for `devHostMap`; production refuses it. */
  readonly mode?: 'production' | 'development';
  /**
   * WhatsApp host name to a stand-in origin, e.g.
   * `{ 'web.whatsapp.com': 'http://127.0.0.1:8080' }`.
   */
  readonly devHostMap?: Readonly<Record<string, string>>;
  readonly party?: string;
  readonly software?: string;
  readonly limits?: Partial<Limits>;
  readonly maxStreams?: number;
  readonly maxBytesInFlight?: number;
  readonly maxBufferedBodyBytes?: number;
  readonly bufferBodiesUpTo?: number;
  readonly socketHighWaterBytes?: number;
  readonly requestStreaming?: 'auto' | 'never';
  readonly handshakeTimeoutMs?: number;
  readonly roomSilenceMs?: number;
  readonly probeTimeoutMs?: number;
  readonly reprobeAfterMs?: number;
  readonly probeRetryMs?: number;
  readonly reconnect?: Partial<ReconnectSettings>;
  readonly probes?: Partial<ProbeTargets>;
  /** Clock for ping replies and durations; tests may pin it. */
  readonly now?: () => number;
}

export interface PeerConfig extends Omit<PeerDefaults, 'limits' | 'reconnect' | 'probes'> {
  readonly host: string;
  readonly protocol: 'ws' | 'wss' | undefined;
  readonly tenant: string;
  readonly getToken: () => string | Promise<string>;
  readonly WebSocket: WebSocketConstructor;
  readonly fetch: FetchLike;
  readonly page: PageSignals | null;
  readonly mode: 'production' | 'development';
  readonly devHosts: DevHostMap | null;
  readonly limits: Limits;
  readonly reconnect: ReconnectSettings;
  readonly probes: ProbeTargets;
  readonly now: () => number;
}

/** A configuration error, naming the field at fault. */
export class PeerConfigError extends Error {
  override readonly name = 'PeerConfigError';
  readonly field: string;

  constructor(field: string, problem: string) {
    super(`peer option ${field}: ${problem}`);
    this.field = field;
  }
}
