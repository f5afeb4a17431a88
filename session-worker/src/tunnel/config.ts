import { isIP } from 'node:net';
import { classifyAddress, validateKeySet } from '@pasarela/shared';
import type { TokenKeySet } from '@pasarela/shared';
import { z } from 'zod';
import { TUNNEL_DEFAULTS } from './defaults.js';
import type { TunnelSettings } from './defaults.js';

/** Baileys closes a connection this long past its keepalive interval without a frame. */
export const BAILEYS_KEEPALIVE_GRACE_MS = 5_000;

/** A setting that cannot work, found at start-up; `setting` names it as the operator wrote it. */
export class TunnelConfigError extends Error {
  override readonly name = 'TunnelConfigError';
  readonly code = 'config_invalid' as const;

  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`config_invalid: ${setting}: ${detail}`);
  }
}

/** Where the rooms live: partysocket's `host` (name and port) and scheme. */
export interface RoomEndpoint {
  readonly protocol: 'ws' | 'wss';
  readonly host: string;
}

export interface TunnelConfig {
  /** null: no room configured; every tenant runs direct. */
  readonly room: RoomEndpoint | null;
  readonly keys: TokenKeySet;
  readonly settings: TunnelSettings;
}

const ms = (max: number) => z.number().int().min(1).max(max);
const positive = z.number().positive();

const schema = z.strictObject({
  party: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a party name'),
  tokens: z.strictObject({
    workerTtlSeconds: z.number().int().min(30).max(3_600),
    peerTtlSeconds: z.number().int().min(30).max(86_400),
    adminTtlSeconds: z.number().int().min(30).max(86_400),
    maxTtlSeconds: z.number().int().min(30).max(86_400),
  }),
  link: z.strictObject({
    pingIntervalMs: ms(300_000),
    silenceMs: ms(900_000),
    handshakeTimeoutMs: ms(120_000),
    firstWordMs: z.number().int().min(0).max(60_000),
    minDelayMs: ms(600_000),
    maxDelayMs: ms(600_000),
    growFactor: z.number().min(1).max(10),
    connectionTimeoutMs: ms(120_000),
    highWaterBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(64 * 1024 * 1024),
    rttSamples: z.number().int().min(8).max(4_096),
  }),
  streams: z.strictObject({
    replayLimitBytes: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024 * 1024),
    responseAllowanceBytes: z
      .number()
      .int()
      .min(0)
      .max(4 * 1024 * 1024 * 1024),
    lostSocketGraceMs: ms(60_000),
  }),
  routes: z.strictObject({
    healthyForMs: z.number().int().min(0).max(3_600_000),
    quietMs: z.number().int().min(0).max(600_000),
    maxMovesPerHour: z.number().int().min(1).max(3_600),
    upstreamSilenceMs: ms(600_000),
    rttP95LimitMs: positive.max(600_000),
    rttMinSamples: z.number().int().min(1).max(1_000),
    recheckMs: ms(60_000),
    moveTimeoutMs: ms(600_000),
    changesKept: z.number().int().min(1).max(10_000),
  }),
  statusDebounceMs: z.number().int().min(0).max(10_000),
});

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type TunnelSettingsInput = DeepPartial<TunnelSettings>;

/** Merges overrides over `TUNNEL_DEFAULTS`; the error names the first bad field. */
export function parseTunnelSettings(
  overrides: TunnelSettingsInput = {},
  setting = 'tunnel',
): TunnelSettings {
  const merged: Record<string, unknown> = { ...TUNNEL_DEFAULTS };
  for (const [key, value] of Object.entries(overrides)) {
    const base = (TUNNEL_DEFAULTS as Record<string, unknown>)[key];
    merged[key] =
      typeof base === 'object' && base !== null && typeof value === 'object' && value !== null
        ? { ...base, ...value }
        : value;
  }
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const keys = issue?.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [...(issue?.path ?? []), ...keys.slice(0, 1)].join('.');
    throw new TunnelConfigError(`${setting}.${path}`, issue?.message ?? 'invalid');
  }
  const settings = result.data as TunnelSettings;
  if (settings.link.maxDelayMs < settings.link.minDelayMs) {
    throw new TunnelConfigError(`${setting}.link.maxDelayMs`, 'must be at least minDelayMs');
  }
  if (settings.link.silenceMs <= settings.link.pingIntervalMs) {
    throw new TunnelConfigError(`${setting}.link.silenceMs`, 'must exceed pingIntervalMs');
  }
  return settings;
}

/**
 * The upstream silence threshold must sit between one keepalive interval
 * (a healthy connection hears WhatsApp's answer to each ping) and the
 * moment Baileys gives up, or the move direct would come too late or for
 * nothing.
 */
export function checkKeepaliveFit(
  settings: TunnelSettings,
  keepAliveIntervalMs: number,
  setting = 'tunnel.routes.upstreamSilenceMs',
): void {
  const silence = settings.routes.upstreamSilenceMs;
  const limit = keepAliveIntervalMs + BAILEYS_KEEPALIVE_GRACE_MS;
  if (silence <= keepAliveIntervalMs || silence >= limit) {
    throw new TunnelConfigError(
      setting,
      `${silence} ms must lie between the keepalive interval (${keepAliveIntervalMs} ms) ` +
        `and the moment Baileys gives up (${limit} ms)`,
    );
  }
}

/**
 * Reads a room base URL such as `wss://rooms.example.com` or
 * `ws://127.0.0.1:8787`. Tokens ride in the query string, so production
 * refuses plain `ws:` except to a loopback address.
 */
export function parseRoomUrl(value: string, production: boolean, setting: string): RoomEndpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TunnelConfigError(setting, 'is not an absolute URL');
  }
  const scheme = url.protocol.replace(':', '');
  if (scheme !== 'ws' && scheme !== 'wss') {
    throw new TunnelConfigError(setting, `scheme ${url.protocol} is not ws: or wss:`);
  }
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    throw new TunnelConfigError(setting, 'must be a bare origin (no path, query or credentials)');
  }
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = isIP(hostname) !== 0 && classifyAddress(hostname) === 'loopback';
  if (production && scheme === 'ws' && !loopback && hostname !== 'localhost') {
    throw new TunnelConfigError(setting, 'plain ws: would expose tokens; use wss: in production');
  }
  return { protocol: scheme, host: url.host };
}

/** Reads `TOKEN_KEYS` (`{"<key id>": "<secret>"}`) and the signing key id. */
export function parseTokenKeys(
  keysJson: string | undefined,
  signingKeyId: string | undefined,
  names = { keys: 'TOKEN_KEYS', signing: 'TOKEN_SIGNING_KEY' },
): TokenKeySet {
  if (!keysJson?.trim()) throw new TunnelConfigError(names.keys, 'is required for the tunnel');
  let keys: unknown;
  try {
    keys = JSON.parse(keysJson);
  } catch {
    throw new TunnelConfigError(names.keys, 'is not valid JSON');
  }
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new TunnelConfigError(names.keys, 'must be a JSON object of key id to secret');
  }
  const entries = Object.entries(keys as Record<string, unknown>);
  if (entries.some(([, secret]) => typeof secret !== 'string')) {
    throw new TunnelConfigError(names.keys, 'every secret must be a string');
  }
  const ids = entries.map(([id]) => id);
  const chosen = signingKeyId?.trim() || (ids.length === 1 ? ids[0] : undefined);
  if (!chosen) {
    throw new TunnelConfigError(names.signing, 'names the key that signs when there are several');
  }
  try {
    return validateKeySet({ signingKeyId: chosen, keys: keys as Record<string, string> });
  } catch (error) {
    const message = (error as Error).message.replace(/^token key set: /, '');
    const bad = message.includes('signing key') ? names.signing : names.keys;
    throw new TunnelConfigError(bad, message);
  }
}

export const TUNNEL_ENV_DEFAULTS = Object.freeze({
  /** Base URL of the rooms; empty: no tunnel, every tenant runs direct. */
  PASARELA_ROOM_URL: '',
  TOKEN_KEYS: '',
  TOKEN_SIGNING_KEY: '',
  /** JSON overrides of `TUNNEL_DEFAULTS`, e.g. `{"routes":{"healthyForMs":60000}}`. */
  PASARELA_TUNNEL_SETTINGS: '',
});

type Env = Readonly<Record<string, string | undefined>>;

/** The tunnel's configuration from the environment; null when no room is configured. */
export function readTunnelEnv(env: Env, production: boolean): TunnelConfig | null {
  const roomUrl = env.PASARELA_ROOM_URL?.trim() ?? '';
  if (roomUrl === '') return null;
  const room = parseRoomUrl(roomUrl, production, 'PASARELA_ROOM_URL');
  const keys = parseTokenKeys(env.TOKEN_KEYS, env.TOKEN_SIGNING_KEY);
  const raw = env.PASARELA_TUNNEL_SETTINGS?.trim() ?? '';
  let overrides: TunnelSettingsInput = {};
  if (raw !== '') {
    try {
      overrides = JSON.parse(raw) as TunnelSettingsInput;
    } catch {
      throw new TunnelConfigError('PASARELA_TUNNEL_SETTINGS', 'is not valid JSON');
    }
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
      throw new TunnelConfigError('PASARELA_TUNNEL_SETTINGS', 'must be a JSON object');
    }
  }
  const settings = parseTunnelSettings(overrides, 'PASARELA_TUNNEL_SETTINGS');
  return { room, keys, settings };
}
