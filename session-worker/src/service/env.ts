import { validateEgressConfig, type EgressConfig } from '../egress/index.js';
import { SESSION_DEFAULTS, parseSessionConfig, type SessionConfig } from '../session/config.js';
import { SessionError } from '../session/errors.js';

/**
 * The worker's configuration from the environment, checked at start-up.
 * Every failure names the variable as the operator spelled it.
 */
export interface WorkerSettings {
  readonly store:
    | { readonly kind: 'sqlite'; readonly path: string }
    | { readonly kind: 'postgres'; readonly url: string; readonly schema: string };
  /** Names this worker among replicas; host, pid and a random part when unset. */
  readonly replicaId: string | undefined;
  readonly session: SessionConfig;
  readonly egress: EgressConfig;
  readonly logLevel: string;
  readonly baileysLogLevel: string;
  /** `stdio`: JSON commands on stdin, events and replies on stdout, logs on stderr. */
  readonly control: 'none' | 'stdio';
}

/** The variables besides the session tunables, with their defaults. */
export const WORKER_ENV_DEFAULTS = Object.freeze({
  PASARELA_STORE: 'sqlite',
  PASARELA_SQLITE_PATH: 'data/pasarela.db',
  PASARELA_DATABASE_URL: '',
  PASARELA_PG_SCHEMA: 'pasarela',
  PASARELA_REPLICA_ID: '',
  PASARELA_DEFAULT_POLICY: 'direct',
  PASARELA_HOST_MAP: '',
  PASARELA_CA_FILE: '',
  PASARELA_GUARD_MODE: 'refuse',
  PASARELA_LOG_LEVEL: 'info',
  PASARELA_BAILEYS_LOG_LEVEL: 'warn',
  PASARELA_CONTROL: 'none',
});

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `leaseDurationMs` is read from `PASARELA_LEASE_DURATION_MS`, and so on for every tunable. */
export function sessionVariable(field: keyof SessionConfig): string {
  return `PASARELA_${field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export class WorkerConfigError extends SessionError {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super('config_invalid', `${variable}: ${detail}`, { field: variable });
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function readWorkerEnv(env: Env): WorkerSettings {
  const get = (name: keyof typeof WORKER_ENV_DEFAULTS): string => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? WORKER_ENV_DEFAULTS[name] : value;
  };
  const oneOf = <T extends string>(name: keyof typeof WORKER_ENV_DEFAULTS, allowed: T[]): T => {
    const value = get(name);
    if ((allowed as string[]).includes(value)) return value as T;
    throw new WorkerConfigError(name, `"${value}" is not one of ${allowed.join(', ')}`);
  };

  const kind = oneOf('PASARELA_STORE', ['sqlite', 'postgres']);
  let store: WorkerSettings['store'];
  if (kind === 'postgres') {
    const url = get('PASARELA_DATABASE_URL');
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new WorkerConfigError(
        'PASARELA_DATABASE_URL',
        'must be a postgres:// connection URL when PASARELA_STORE=postgres',
      );
    }
    store = { kind, url, schema: get('PASARELA_PG_SCHEMA') };
  } else {
    store = { kind, path: get('PASARELA_SQLITE_PATH') };
  }

  const session = readSessionConfig(env);
  const egress = validateEgressConfig(
    {
      defaultPolicy: get('PASARELA_DEFAULT_POLICY'),
      hostMap: get('PASARELA_HOST_MAP'),
      caFile: get('PASARELA_CA_FILE')
        .split(',')
        .map((path) => path.trim())
        .filter((path) => path !== ''),
      guardMode: get('PASARELA_GUARD_MODE'),
      ...(env['NODE_ENV'] === undefined ? {} : { production: env['NODE_ENV'] === 'production' }),
    },
    {
      defaultPolicy: 'PASARELA_DEFAULT_POLICY',
      hostMap: 'PASARELA_HOST_MAP',
      caFile: 'PASARELA_CA_FILE',
      guardMode: 'PASARELA_GUARD_MODE',
    },
  );
  const replicaId = get('PASARELA_REPLICA_ID');
  if (replicaId !== '' && !/^[A-Za-z0-9._:-]{1,100}$/.test(replicaId)) {
    throw new WorkerConfigError('PASARELA_REPLICA_ID', 'use letters, digits and . _ : - only');
  }
  return {
    store,
    replicaId: replicaId === '' ? undefined : replicaId,
    session,
    egress,
    logLevel: oneOf('PASARELA_LOG_LEVEL', LOG_LEVELS),
    baileysLogLevel: oneOf('PASARELA_BAILEYS_LOG_LEVEL', LOG_LEVELS),
    control: oneOf('PASARELA_CONTROL', ['none', 'stdio']),
  };
}

function readSessionConfig(env: Env): SessionConfig {
  const input: Record<string, number> = {};
  for (const field of Object.keys(SESSION_DEFAULTS) as (keyof SessionConfig)[]) {
    const name = sessionVariable(field);
    const text = env[name]?.trim();
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!/^-?\d+(\.\d+)?$/.test(text) || !Number.isFinite(value)) {
      throw new WorkerConfigError(name, `"${text.slice(0, 32)}" is not a number`);
    }
    input[field] = value;
  }
  try {
    return parseSessionConfig(input);
  } catch (error) {
    const field = (error as SessionError).context?.['field'];
    if (typeof field === 'string' && field in SESSION_DEFAULTS) {
      const detail = (error as Error).message.replace(/^config_invalid: [^:]+: /, '');
      throw new WorkerConfigError(sessionVariable(field as keyof SessionConfig), detail);
    }
    throw error;
  }
}
