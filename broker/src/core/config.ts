import { PROTOCOL_DEFAULTS, ProtocolError, validateKeySet } from '@pasarela/shared';
import type { Limits, TokenKeySet } from '@pasarela/shared';

/**
 * Everything a room can be tuned with, and its defaults. Operators override
 * fields through the `BROKER_CONFIG` variable (a JSON object); secrets live
 * in `TOKEN_KEYS` and nowhere else.
 */
export interface BrokerConfig {
  /** How often the room pings each peer. Hidden tabs answer from their message handler. */
  readonly pingIntervalMs: number;
  /** Unanswered pings in a row after which a peer is gone, whatever its socket says. */
  readonly goneAfterMissedPings: number;
  /** A peer whose smoothed round trip exceeds this is degraded. */
  readonly degradedRttMs: number;
  /** A connection that has not said Hello by then is closed. */
  readonly handshakeTimeoutMs: number;
  /**
   * Counters are flushed to storage at most this often while they change,
   * and at once when a connection closes. A restart loses at most this long.
   */
  readonly statsFlushMs: number;
  /** Heartbeat and round-trip samples alone are persisted at most this often. */
  readonly heartbeatPersistMs: number;
  /** Open streams per tenant; more are reset with `too_many_streams`. */
  readonly maxOpenStreams: number;
  /** Body bytes forwarded but not yet credited back, per tenant, before chunks wait. */
  readonly maxBytesInFlight: number;
  /** Body bytes a tenant may have waiting in the room; beyond it the stream is reset. */
  readonly maxQueuedBytes: number;
  /** Peers per tenant; more are refused with `too_many_peers`. */
  readonly maxPeers: number;
  /** The largest frame the room accepts (offered in Welcome). */
  readonly maxFrameSize: number;
  /** Credit per stream and direction the room offers in Welcome. */
  readonly streamWindow: number;
  /** Events kept for inspection. */
  readonly eventsKept: number;
  /** Round-trip samples kept for the p50/p95 figures. */
  readonly rttSamplesKept: number;
  /** The rooms index is told about a room at most this often unless its shape changes. */
  readonly indexUpdateMs: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const BROKER_DEFAULTS: Readonly<BrokerConfig> = Object.freeze({
  pingIntervalMs: 20_000,
  goneAfterMissedPings: 2,
  degradedRttMs: 1_500,
  handshakeTimeoutMs: 10_000,
  // Under the 10 s after which an idle Durable Object may hibernate, so a
  // pending flush always runs before the object leaves memory.
  statsFlushMs: 5_000,
  heartbeatPersistMs: 300_000,
  maxOpenStreams: 64,
  maxBytesInFlight: 16 * 1024 * 1024,
  maxQueuedBytes: 8 * 1024 * 1024,
  maxPeers: 16,
  maxFrameSize: PROTOCOL_DEFAULTS.maxFrameSize,
  streamWindow: PROTOCOL_DEFAULTS.streamWindow,
  eventsKept: 200,
  rttSamplesKept: 128,
  indexUpdateMs: 60_000,
  logLevel: 'info',
});

type NumericField = Exclude<keyof BrokerConfig, 'logLevel'>;

// Bounds keep a typo from turning a room into a busy loop or a memory sink.
const BOUNDS: Record<NumericField, readonly [number, number]> = {
  pingIntervalMs: [50, 300_000],
  goneAfterMissedPings: [1, 20],
  degradedRttMs: [1, 60_000],
  handshakeTimeoutMs: [50, 120_000],
  statsFlushMs: [50, 9_000],
  heartbeatPersistMs: [50, 3_600_000],
  // Each open stream takes a slot in the worker's socket attachment (16 KiB).
  maxOpenStreams: [1, 128],
  maxBytesInFlight: [64 * 1024, 256 * 1024 * 1024],
  maxQueuedBytes: [64 * 1024, 64 * 1024 * 1024],
  maxPeers: [1, 256],
  // Received WebSocket messages are capped at 1 MiB in older local runtimes.
  maxFrameSize: [1_024, 1024 * 1024],
  streamWindow: [1_024, 64 * 1024 * 1024],
  eventsKept: [10, 1_000],
  rttSamplesKept: [8, 1_024],
  indexUpdateMs: [1_000, 86_400_000],
};

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** A configuration problem, always naming the variable and field at fault. */
export class ConfigError extends ProtocolError {
  constructor(detail: string) {
    super('config_invalid', detail);
  }
}

function parseJsonVariable(name: string, raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError(`${name} is not valid JSON`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${name} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Reads `BROKER_CONFIG` over the defaults; the error names the bad field. */
export function parseBrokerConfig(raw: unknown): BrokerConfig {
  const overrides = parseJsonVariable('BROKER_CONFIG', raw) ?? {};
  const config: Record<string, unknown> = { ...BROKER_DEFAULTS };
  for (const [field, value] of Object.entries(overrides)) {
    if (field === 'logLevel') {
      if (!LOG_LEVELS.includes(value as BrokerConfig['logLevel'])) {
        throw new ConfigError(`BROKER_CONFIG.logLevel must be one of ${LOG_LEVELS.join(', ')}`);
      }
      config.logLevel = value;
      continue;
    }
    const bounds = BOUNDS[field as NumericField];
    if (!bounds) throw new ConfigError(`BROKER_CONFIG.${field} is not a known field`);
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new ConfigError(`BROKER_CONFIG.${field} must be an integer`);
    }
    if (value < bounds[0] || value > bounds[1]) {
      throw new ConfigError(`BROKER_CONFIG.${field} must be ${bounds[0]} to ${bounds[1]}`);
    }
    config[field] = value;
  }
  const result = config as unknown as BrokerConfig;
  if (result.maxQueuedBytes < result.maxFrameSize) {
    throw new ConfigError('BROKER_CONFIG.maxQueuedBytes must be at least maxFrameSize');
  }
  return Object.freeze(result);
}

/**
 * Reads `TOKEN_KEYS` (`{"<key id>": "<secret>"}`). The room only verifies,
 * so the signing key id is merely the first one listed. Secrets never
 * appear in the error.
 */
export function parseTokenKeys(raw: unknown): TokenKeySet {
  const keys = parseJsonVariable('TOKEN_KEYS', raw);
  if (!keys) throw new ConfigError('TOKEN_KEYS is not set');
  for (const [id, secret] of Object.entries(keys)) {
    if (typeof secret !== 'string') {
      throw new ConfigError(`TOKEN_KEYS.${id.slice(0, 32)} must be a string secret`);
    }
  }
  const ids = Object.keys(keys);
  try {
    return validateKeySet({ signingKeyId: ids[0] ?? '', keys: keys as Record<string, string> });
  } catch (error) {
    throw new ConfigError(
      `TOKEN_KEYS: ${(error as Error).message.replace(/^token key set: /, '')}`,
    );
  }
}

/** The limits the room offers in every Welcome. */
export function roomLimits(config: BrokerConfig): Limits {
  return {
    maxFrameSize: config.maxFrameSize,
    streamWindow: config.streamWindow,
    maxStreams: config.maxOpenStreams,
  };
}

/** Parses both variables once per distinct value, so a hot path pays nothing. */
export function cachedParser<T>(parse: (raw: unknown) => T): (raw: unknown) => T {
  let last: { raw: unknown; value: T } | undefined;
  return (raw) => {
    if (last && last.raw === raw) return last.value;
    const value = parse(raw);
    last = { raw, value };
    return value;
  };
}
