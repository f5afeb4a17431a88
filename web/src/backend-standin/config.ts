import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isTenantId, isWhatsAppHost } from '@pasarela/shared';

/** Every default of the backend stand-in, in one object. */
export const BACKEND_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8790,
  roomProtocol: 'wss' as 'ws' | 'wss',
  mode: 'production' as 'production' | 'development',
  siteDir: resolve(import.meta.dirname, '../../dist/site'),
  /** The worker API must answer within this, or the page hears `worker_unreachable`. */
  workerTimeoutMs: 10_000,
});

export interface BackendConfig {
  readonly host: string;
  readonly port: number;
  readonly tenant: string;
  readonly restaurant: string;
  /** The tenant's API key for the worker. Never sent to a page, never logged. */
  readonly tenantKey: string;
  readonly workerUrl: URL;
  readonly room: { readonly host: string; readonly protocol: 'ws' | 'wss' };
  readonly mode: 'production' | 'development';
  readonly devHostMap: Readonly<Record<string, string>> | null;
  /** Peer tuning handed to the pages (JSON-safe peer options). */
  readonly peer: Readonly<Record<string, unknown>> | null;
  readonly siteDir: string;
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly workerTimeoutMs: number;
}

/** A bad setting, naming the variable. */
export class BackendConfigError extends Error {
  override readonly name = 'BackendConfigError';
  readonly code = 'config_invalid';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`config_invalid: ${variable}: ${problem}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new BackendConfigError(name, 'is not set');
  return value;
}

function json(env: Env, name: string): Record<string, unknown> | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new BackendConfigError(name, 'is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BackendConfigError(name, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name]?.trim();
  if (!value) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new BackendConfigError(name, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Reads `PASARELA_BACKEND_*`; the first bad variable stops start-up with its name. */
export function readBackendEnv(env: Env): BackendConfig {
  const tenant = required(env, 'PASARELA_BACKEND_TENANT');
  if (!isTenantId(tenant))
    throw new BackendConfigError('PASARELA_BACKEND_TENANT', 'not a tenant id');
  const tenantKey = required(env, 'PASARELA_BACKEND_TENANT_KEY');
  let workerUrl: URL;
  try {
    workerUrl = new URL(required(env, 'PASARELA_BACKEND_WORKER_URL'));
  } catch (error) {
    if (error instanceof BackendConfigError) throw error;
    throw new BackendConfigError('PASARELA_BACKEND_WORKER_URL', 'not a URL');
  }
  if (workerUrl.protocol !== 'http:' && workerUrl.protocol !== 'https:') {
    throw new BackendConfigError('PASARELA_BACKEND_WORKER_URL', 'must be http or https');
  }
  const roomHost = required(env, 'PASARELA_BACKEND_ROOM');
  if (/[/?#@\s]/.test(roomHost)) {
    throw new BackendConfigError('PASARELA_BACKEND_ROOM', 'a host (and port), not a URL');
  }
  const mode = oneOf(
    env,
    'PASARELA_BACKEND_MODE',
    ['production', 'development'],
    BACKEND_DEFAULTS.mode,
  );
  const protocol = oneOf(
    env,
    'PASARELA_BACKEND_ROOM_PROTOCOL',
    ['ws', 'wss'],
    BACKEND_DEFAULTS.roomProtocol,
  );
  if (protocol === 'ws' && mode === 'production') {
    throw new BackendConfigError('PASARELA_BACKEND_ROOM_PROTOCOL', 'ws is for development only');
  }
  const devHostMap = json(env, 'PASARELA_BACKEND_DEV_HOST_MAP');
  if (devHostMap) {
    if (mode !== 'development') {
      throw new BackendConfigError(
        'PASARELA_BACKEND_DEV_HOST_MAP',
        'refused outside development mode',
      );
    }
    for (const [host, to] of Object.entries(devHostMap)) {
      if (!isWhatsAppHost(host) || typeof to !== 'string' || !URL.canParse(to)) {
        throw new BackendConfigError(
          'PASARELA_BACKEND_DEV_HOST_MAP',
          `bad entry ${JSON.stringify(host)}`,
        );
      }
    }
  }
  const port = Number(env['PASARELA_BACKEND_PORT'] ?? BACKEND_DEFAULTS.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new BackendConfigError('PASARELA_BACKEND_PORT', 'not a port number');
  }
  const certFile = env['PASARELA_BACKEND_TLS_CERT']?.trim();
  const keyFile = env['PASARELA_BACKEND_TLS_KEY']?.trim();
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new BackendConfigError(
      'PASARELA_BACKEND_TLS_KEY',
      'set both TLS_CERT and TLS_KEY, or neither',
    );
  }
  const readPem = (variable: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new BackendConfigError(variable, 'cannot be read');
    }
  };
  return {
    host: env['PASARELA_BACKEND_HOST']?.trim() || BACKEND_DEFAULTS.host,
    port,
    tenant,
    restaurant: env['PASARELA_BACKEND_RESTAURANT']?.trim() || tenant,
    tenantKey,
    workerUrl,
    room: { host: roomHost, protocol },
    mode,
    devHostMap: devHostMap as Record<string, string> | null,
    peer: json(env, 'PASARELA_BACKEND_PEER'),
    siteDir: env['PASARELA_BACKEND_SITE_DIR']?.trim() || BACKEND_DEFAULTS.siteDir,
    tls:
      certFile && keyFile
        ? {
            cert: readPem('PASARELA_BACKEND_TLS_CERT', certFile),
            key: readPem('PASARELA_BACKEND_TLS_KEY', keyFile),
          }
        : null,
    workerTimeoutMs: BACKEND_DEFAULTS.workerTimeoutMs,
  };
}
