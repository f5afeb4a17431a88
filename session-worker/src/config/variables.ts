import { SESSION_DEFAULTS, type SessionConfig } from '../session/config.js';
import { WORKER_ENV_DEFAULTS, sessionVariable } from '../service/env.js';
import { TUNNEL_ENV_DEFAULTS } from '../tunnel/config.js';
import { API_DEFAULTS, type ApiSettings } from './defaults.js';

/** One environment variable the worker reads, with its default and meaning. */
export interface VariableSpec {
  readonly name: string;
  /** As written in `.env.example`; empty when unset means "none". */
  readonly default: string;
  readonly description: string;
  readonly required?: boolean;
}

/** `sendAckTimeoutMs` is read from `PASARELA_SEND_ACK_TIMEOUT_MS`, and so on. */
export function apiVariable(field: keyof ApiSettings): string {
  return `PASARELA_${field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export const ADMIN_KEY_VARIABLE = 'PASARELA_ADMIN_KEY';

const WORKER_DESCRIPTIONS: Record<keyof typeof WORKER_ENV_DEFAULTS, string> = {
  PASARELA_STORE: '`sqlite` (one worker per file) or `postgres` (several replicas)',
  PASARELA_SQLITE_PATH: 'the SQLite store file; put it on a persistent volume',
  PASARELA_DATABASE_URL: '`postgres://` URL, required with PASARELA_STORE=postgres',
  PASARELA_PG_SCHEMA: 'PostgreSQL schema of every table of the worker',
  PASARELA_REPLICA_ID: "this worker's name among replicas; host, pid and a random part if empty",
  PASARELA_DEFAULT_POLICY: 'egress policy of new tenants: direct, prefer-tunnel or tunnel-only',
  PASARELA_HOST_MAP: 'development host map (name=host:port,...); refused when NODE_ENV=production',
  PASARELA_CA_FILE: 'extra PEM certificate authorities, comma-separated files',
  PASARELA_GUARD_MODE: 'WhatsApp traffic without a tenant: refuse or record',
  PASARELA_LOG_LEVEL: "pino level of the worker's lines",
  PASARELA_BAILEYS_LOG_LEVEL: "pino level of Baileys' own lines",
  PASARELA_CONTROL: '`stdio`: JSON control commands on stdin (scripts and tests); `none`',
};

const TUNNEL_DESCRIPTIONS: Record<keyof typeof TUNNEL_ENV_DEFAULTS, string> = {
  PASARELA_ROOM_URL:
    "the rooms' base URL (wss://rooms.example.com); empty: no tunnel, every tenant runs direct",
  TOKEN_KEYS:
    'JSON object of key id to secret (32+ characters) that signs room tokens; the rooms hold ' +
    'the same set. Required with PASARELA_ROOM_URL',
  TOKEN_SIGNING_KEY: 'the key id of TOKEN_KEYS that signs, when there are several',
  PASARELA_TUNNEL_SETTINGS:
    'JSON overrides of the tunnel defaults (src/tunnel/defaults.ts), e.g. ' +
    '{"routes":{"healthyForMs":60000}}',
};

const API_DESCRIPTIONS: Record<keyof ApiSettings, string> = {
  port: 'TCP port of the HTTP API; PORT is read when this is empty',
  host: 'address the HTTP API listens on',
  maxBodyBytes: 'largest request body accepted, in bytes',
  sendAckTimeoutMs: "how long a send waits for WhatsApp's ack before answering pending",
  idempotencyTtlMs: 'how long send records and their idempotency keys are kept',
  mediaMaxBytes: 'largest media file, given as bytes or fetched from a URL',
  mediaFetchTimeoutMs: 'deadline of one media or link-preview fetch, redirects and body included',
  mediaMaxRedirects: 'redirects a fetch follows; every hop is checked again',
  urlAllowlist:
    'hosts, *.suffix patterns, addresses or CIDR blocks that fetched URLs and webhooks may reach ' +
    'although they resolve to loopback, private, link-local or metadata addresses',
  linkPreviews: '`off`, or `guarded`: the worker fetches the page itself through the URL guard',
  linkPreviewMaxBytes: 'largest page read for a link preview, in bytes',
  webhookTimeoutMs: 'deadline of one webhook delivery attempt',
  webhookMaxAttempts: 'attempts per delivery before it becomes a dead letter',
  webhookBackoffBaseMs: 'first webhook retry delay, doubled after each failure',
  webhookBackoffMaxMs: 'longest webhook retry delay',
  webhookConcurrency: 'webhook deliveries in flight at once, in total',
  webhookEndpointConcurrency: 'webhook deliveries in flight at once to one endpoint',
  webhookPollMs: 'how often the delivery queue is read when nothing woke it',
  eventRetentionMs: 'how long events are kept for SSE resumption (Last-Event-ID)',
  sseKeepaliveMs: 'interval of keepalive comments on idle SSE streams',
  ssePollMs: 'how often SSE streams read events written by other replicas',
  inboundRetentionMs: 'how long received messages are kept for media downloads',
  pruneIntervalMs: 'how often expired records are removed',
  settingsPollMs: 'how often a replica reads tenant settings changed by another replica',
  metricsToken: 'bearer token for /metrics besides the admin key; empty: the admin key only',
};

/** Every variable the worker reads, in the order `.env.example` lists them. */
export function serviceVariables(): VariableSpec[] {
  const api = (Object.keys(API_DEFAULTS) as (keyof ApiSettings)[]).map((field): VariableSpec => ({
    name: apiVariable(field),
    default: field === 'port' ? '' : String(API_DEFAULTS[field]),
    description:
      field === 'port'
        ? `${API_DESCRIPTIONS.port} (default ${API_DEFAULTS.port})`
        : API_DESCRIPTIONS[field],
  }));
  const worker = (Object.keys(WORKER_ENV_DEFAULTS) as (keyof typeof WORKER_ENV_DEFAULTS)[]).map(
    (name): VariableSpec => ({
      name,
      default: WORKER_ENV_DEFAULTS[name],
      description: WORKER_DESCRIPTIONS[name],
    }),
  );
  const session = (Object.keys(SESSION_DEFAULTS) as (keyof SessionConfig)[]).map(
    (field): VariableSpec => ({
      name: sessionVariable(field),
      default: String(SESSION_DEFAULTS[field]),
      description: `session tunable ${field} (see src/session/config.ts)`,
    }),
  );
  const tunnel = (Object.keys(TUNNEL_ENV_DEFAULTS) as (keyof typeof TUNNEL_ENV_DEFAULTS)[]).map(
    (name): VariableSpec => ({
      name,
      default: TUNNEL_ENV_DEFAULTS[name],
      description: TUNNEL_DESCRIPTIONS[name],
    }),
  );
  return [
    {
      name: ADMIN_KEY_VARIABLE,
      default: '',
      required: true,
      description: 'the admin API key: at least 32 characters of letters, digits and . _ ~ + / = -',
    },
    { name: 'NODE_ENV', default: '', description: '`production` refuses development settings' },
    { name: 'PORT', default: '', description: 'port set by the host platform; see PASARELA_PORT' },
    ...worker,
    ...tunnel,
    ...api,
    ...session,
  ];
}

/** The text of `.env.example`: every variable, commented, with its default. */
export function envExampleText(): string {
  const lines = [
    '# Environment of the session worker. Every variable it reads, with its default.',
    '# Empty means unset. Generated from src/config/variables.ts (npm run env-example).',
    '',
  ];
  for (const variable of serviceVariables()) {
    lines.push(`# ${variable.description}${variable.required ? ' (required)' : ''}`);
    lines.push(`${variable.name}=${variable.default}`);
    lines.push('');
  }
  return lines.join('\n');
}
