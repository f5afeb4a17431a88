import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { AuditSource } from '../audit.js';
import { asAttributed } from '../owned.js';
import { judge } from './judge.js';
import type { GuardContext } from './judge.js';

type ConnectionCallback = (error: Error | null, socket?: Duplex) => void;

interface ConnectOptions {
  host?: string | null;
  hostname?: string | null;
  servername?: string | null;
  port?: number | string | null;
}

type CreateConnection = (options: ConnectOptions, callback: ConnectionCallback) => Duplex;

function guardedConnect(
  context: GuardContext,
  source: AuditSource,
  base: CreateConnection,
  options: ConnectOptions,
  callback: ConnectionCallback,
): Duplex {
  const refusal = judge(context, {
    source,
    host: options.host ?? options.hostname,
    servername: options.servername,
    port: options.port,
  });
  if (refusal) {
    // Through the callback, Node reports it as the request's error.
    process.nextTick(callback, refusal);
    return undefined as unknown as Duplex;
  }
  return asAttributed(() => base(options, callback));
}

// Node 20's own global agents keep connections alive with these settings.
const GLOBAL_AGENT_OPTIONS = { keepAlive: true, scheduling: 'lifo', timeout: 5_000 } as const;

/** Replaces `http.globalAgent`: requests made without an agent land here. */
export class GuardHttpAgent extends http.Agent {
  readonly #context: GuardContext;

  constructor(context: GuardContext) {
    super(GLOBAL_AGENT_OPTIONS);
    this.#context = context;
  }

  override createConnection(options: ConnectOptions, callback: ConnectionCallback): Duplex {
    const base = (super.createConnection as CreateConnection).bind(this);
    return guardedConnect(this.#context, 'guard:http', base, options, callback);
  }
}

/** Replaces `https.globalAgent`. */
export class GuardHttpsAgent extends https.Agent {
  readonly #context: GuardContext;

  constructor(context: GuardContext) {
    super(GLOBAL_AGENT_OPTIONS);
    this.#context = context;
  }

  override createConnection(options: ConnectOptions, callback: ConnectionCallback): Duplex {
    const base = (super.createConnection as CreateConnection).bind(this);
    return guardedConnect(this.#context, 'guard:https', base, options, callback);
  }
}
