import { isTenantId, limitsSchema, ProtocolError } from '@pasarela/shared';
import type { Limits } from '@pasarela/shared';
import { PEER_DEFAULTS, PeerConfigError } from './config.js';
import type {
  HttpProbe,
  PeerConfig,
  PeerOptions,
  ProbeTargets,
  ReconnectSettings,
  WebSocketProbe,
} from './config.js';
import { FORBIDDEN_METHODS } from './headers.js';
import type { FetchLike, WebSocketConstructor } from './runtime.js';
import { browserPage } from './runtime.js';
import { assertTargetKind, DevHostMapError, parseDevHostMap, resolveTarget } from './targets.js';
import type { DevHostMap } from './targets.js';

function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new PeerConfigError(field, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function retries(value: number): number {
  if (value === Number.POSITIVE_INFINITY) return value;
  if (!Number.isInteger(value) || value < 0) {
    throw new PeerConfigError('reconnect.maxRetries', 'must be a whole number or Infinity');
  }
  return value;
}

function reconnectSettings(given: Partial<ReconnectSettings> = {}): ReconnectSettings {
  const merged = { ...PEER_DEFAULTS.reconnect, ...given };
  positiveInt('reconnect.minDelayMs', merged.minDelayMs);
  positiveInt('reconnect.maxDelayMs', merged.maxDelayMs);
  positiveInt('reconnect.connectionTimeoutMs', merged.connectionTimeoutMs);
  positiveInt('reconnect.minUptimeMs', merged.minUptimeMs);
  if (merged.maxDelayMs < merged.minDelayMs) {
    throw new PeerConfigError('reconnect.maxDelayMs', 'must not be below reconnect.minDelayMs');
  }
  if (!(merged.growFactor >= 1) || !Number.isFinite(merged.growFactor)) {
    throw new PeerConfigError('reconnect.growFactor', 'must be a finite number of at least 1');
  }
  return { ...merged, maxRetries: retries(merged.maxRetries) };
}

function limits(given: Partial<Limits> = {}): Limits {
  const result = limitsSchema.safeParse({ ...PEER_DEFAULTS.limits, ...given });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new PeerConfigError(`limits.${issue?.path.join('.') ?? ''}`, issue?.message ?? 'invalid');
  }
  return result.data;
}

function checkProbeUrl(
  field: string,
  url: string,
  kind: 'http' | 'websocket',
  map: DevHostMap | null,
) {
  try {
    assertTargetKind(resolveTarget(url, map), kind);
  } catch (error) {
    const detail = error instanceof ProtocolError ? error.message : 'not a valid URL';
    throw new PeerConfigError(field, detail);
  }
}

function probes(given: Partial<ProbeTargets> = {}, map: DevHostMap | null): ProbeTargets {
  const merged: ProbeTargets = { ...PEER_DEFAULTS.probes, ...given };
  const socket: WebSocketProbe | null = merged.websocket;
  if (socket) checkProbeUrl('probes.websocket.url', socket.url, 'websocket', map);
  for (const leg of ['download', 'upload'] as const) {
    const probe: HttpProbe | null = merged[leg];
    if (!probe) continue;
    checkProbeUrl(`probes.${leg}.url`, probe.url, 'http', map);
    if (FORBIDDEN_METHODS.has(probe.method.toUpperCase())) {
      throw new PeerConfigError(`probes.${leg}.method`, `${probe.method} is forbidden in browsers`);
    }
  }
  return merged;
}

function devHosts(options: PeerOptions, mode: PeerConfig['mode']): DevHostMap | null {
  if (options.devHostMap === undefined) return null;
  if (mode !== 'development') {
    throw new PeerConfigError('devHostMap', 'is refused unless mode is "development"');
  }
  try {
    return parseDevHostMap(options.devHostMap);
  } catch (error) {
    if (error instanceof DevHostMapError) throw new PeerConfigError('devHostMap', error.message);
    throw error;
  }
}

function runtimeWebSocket(given: WebSocketConstructor | undefined): WebSocketConstructor {
  const found = given ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof found !== 'function') {
    throw new PeerConfigError('WebSocket', 'no WebSocket implementation here; pass one');
  }
  return found;
}

function runtimeFetch(given: FetchLike | undefined): FetchLike {
  if (given) return given;
  if (typeof globalThis.fetch !== 'function') {
    throw new PeerConfigError('fetch', 'no fetch implementation here; pass one');
  }
  // Bound so a page's fetch is never called with the peer as `this`.
  return (input, init) => globalThis.fetch(input, init);
}

/** Merges options over `PEER_DEFAULTS` and validates them, naming the bad field. */
export function resolvePeerConfig(options: PeerOptions): PeerConfig {
  if (typeof options.host !== 'string' || options.host.trim() === '') {
    throw new PeerConfigError('host', 'must name the room host');
  }
  if (!isTenantId(options.tenant)) {
    throw new PeerConfigError(
      'tenant',
      'must be a tenant id (lower-case letters, digits, - and _)',
    );
  }
  if (typeof options.getToken !== 'function') {
    throw new PeerConfigError('getToken', 'must be a function returning a fresh peer token');
  }
  const mode = options.mode ?? 'production';
  if (mode !== 'production' && mode !== 'development') {
    throw new PeerConfigError('mode', 'must be "production" or "development"');
  }
  if (options.protocol !== undefined && options.protocol !== 'ws' && options.protocol !== 'wss') {
    throw new PeerConfigError('protocol', 'must be "ws" or "wss"');
  }
  const requestStreaming = options.requestStreaming ?? PEER_DEFAULTS.requestStreaming;
  if (requestStreaming !== 'auto' && requestStreaming !== 'never') {
    throw new PeerConfigError('requestStreaming', 'must be "auto" or "never"');
  }
  const map = devHosts(options, mode);
  const int = (field: keyof typeof PEER_DEFAULTS & keyof PeerOptions): number =>
    positiveInt(field, (options[field] as number | undefined) ?? (PEER_DEFAULTS[field] as number));
  return {
    host: options.host.trim(),
    protocol: options.protocol,
    tenant: options.tenant,
    getToken: options.getToken,
    WebSocket: runtimeWebSocket(options.WebSocket),
    fetch: runtimeFetch(options.fetch),
    page: options.page === undefined ? browserPage() : options.page,
    mode,
    devHosts: map,
    party: options.party ?? PEER_DEFAULTS.party,
    software: options.software ?? PEER_DEFAULTS.software,
    limits: limits(options.limits),
    maxStreams: int('maxStreams'),
    maxBytesInFlight: int('maxBytesInFlight'),
    maxBufferedBodyBytes: int('maxBufferedBodyBytes'),
    bufferBodiesUpTo: int('bufferBodiesUpTo'),
    socketHighWaterBytes: int('socketHighWaterBytes'),
    requestStreaming,
    handshakeTimeoutMs: int('handshakeTimeoutMs'),
    roomSilenceMs: int('roomSilenceMs'),
    probeTimeoutMs: int('probeTimeoutMs'),
    reprobeAfterMs: int('reprobeAfterMs'),
    probeRetryMs: int('probeRetryMs'),
    reconnect: reconnectSettings(options.reconnect),
    probes: probes(options.probes, map),
    now: options.now ?? Date.now,
  };
}
