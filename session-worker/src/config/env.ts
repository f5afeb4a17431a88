import { createHash } from 'node:crypto';
import { readWorkerEnv, WorkerConfigError, type WorkerSettings } from '../service/env.js';
import {
  checkKeepaliveFit,
  readTunnelEnv,
  TunnelConfigError,
  type TunnelConfig,
} from '../tunnel/config.js';
import { parseApiSettings } from './api-settings.js';
import { API_DEFAULTS, type ApiSettings } from './defaults.js';
import { ConfigError } from './errors.js';
import { ADMIN_KEY_VARIABLE, apiVariable } from './variables.js';

/** The worker's whole configuration: the sessions' and the API's. */
export interface ServiceSettings extends WorkerSettings {
  readonly api: ApiSettings;
  /** The tunnel through each tenant's room; null when no room is configured (all direct). */
  readonly tunnel: TunnelConfig | null;
  /**
   * SHA-256 of the admin API key. The key itself is not kept past start-up;
   * the log redaction gets it through `secrets`.
   */
  readonly adminKeyHash: Buffer;
  /** Values that must never reach a log line. */
  readonly secrets: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const ADMIN_KEY = /^[A-Za-z0-9._~+/=-]{32,256}$/;

/**
 * Reads and checks every variable at start-up. A bad one throws a
 * `ConfigError` (or the session layer's `WorkerConfigError`) naming it.
 */
export function readServiceEnv(env: Env): ServiceSettings {
  let worker: WorkerSettings;
  try {
    worker = readWorkerEnv(env);
  } catch (error) {
    // One error shape for every setting: `setting` names the variable.
    if (error instanceof WorkerConfigError) {
      throw new ConfigError(error.variable, error.message.replace(/^config_invalid: [^:]+: /, ''));
    }
    throw error;
  }
  const adminKey = env[ADMIN_KEY_VARIABLE]?.trim() ?? '';
  if (adminKey === '') {
    throw new ConfigError(ADMIN_KEY_VARIABLE, 'is required (at least 32 characters)');
  }
  if (!ADMIN_KEY.test(adminKey)) {
    throw new ConfigError(
      ADMIN_KEY_VARIABLE,
      'must be 32 to 256 characters of letters, digits and . _ ~ + / = -',
    );
  }
  const api = readApiSettings(env);
  const tunnel = readTunnel(env, worker);
  return {
    ...worker,
    api,
    tunnel,
    adminKeyHash: createHash('sha256').update(adminKey).digest(),
    secrets: [
      adminKey,
      ...(api.metricsToken ? [api.metricsToken] : []),
      // Whoever reads a room-token secret can mint tokens for every tenant.
      ...Object.values(tunnel?.keys.keys ?? {}),
    ],
  };
}

/**
 * The tunnel's variables, and its upstream silence threshold against the
 * sessions' keepalive interval: a threshold past the moment Baileys gives
 * up would move the WebSocket too late, so the worker refuses to start.
 */
function readTunnel(env: Env, worker: WorkerSettings): TunnelConfig | null {
  try {
    const tunnel = readTunnelEnv(env, worker.egress.production);
    if (tunnel) {
      checkKeepaliveFit(
        tunnel.settings,
        worker.session.keepAliveIntervalMs,
        'PASARELA_TUNNEL_SETTINGS.routes.upstreamSilenceMs',
      );
    }
    return tunnel;
  } catch (error) {
    if (error instanceof TunnelConfigError) {
      throw new ConfigError(error.setting, error.message.replace(/^config_invalid: [^:]+: /, ''));
    }
    throw error;
  }
}

function readApiSettings(env: Env): ApiSettings {
  const input: Record<string, unknown> = {};
  for (const field of Object.keys(API_DEFAULTS) as (keyof ApiSettings)[]) {
    const name = apiVariable(field);
    let variable = name;
    let text = env[name]?.trim();
    if (field === 'port' && (text === undefined || text === '')) {
      variable = 'PORT';
      text = env['PORT']?.trim();
    }
    if (text === undefined || text === '') continue;
    const fallback = API_DEFAULTS[field];
    if (typeof fallback === 'number') {
      const value = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
        throw new ConfigError(variable, `"${text.slice(0, 32)}" is not a whole number`);
      }
      input[field] = value;
    } else {
      input[field] = text;
    }
  }
  try {
    return parseApiSettings(input);
  } catch (error) {
    if (error instanceof ConfigError && error.setting in API_DEFAULTS) {
      const detail = error.message.replace(/^config_invalid: [^:]+: /, '');
      throw new ConfigError(apiVariable(error.setting as keyof ApiSettings), detail);
    }
    throw error;
  }
}
