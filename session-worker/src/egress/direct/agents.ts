import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { EgressError } from '../errors.js';
import type { Exchange } from '../exchange.js';
import { openDirect } from './connect.js';
import type { ConnectorOptions } from './connect.js';

/**
 * Request option carrying the exchange that asks for a connection, so the
 * pooled agent can report each new connection to the audit. Node's agents
 * copy request options (symbol keys included) into `createConnection`.
 */
export const kExchange = Symbol('pasarela.egress.exchange');

export interface AttemptOptions {
  [kExchange]?: Exchange;
}

type ConnectionCallback = (error: Error | null, socket: Duplex) => void;

function connectFor(
  connector: ConnectorOptions,
  options: http.ClientRequestArgs,
  callback: ConnectionCallback | undefined,
): Duplex | undefined {
  // Node's agent takes an asynchronous failure through the callback and
  // reports it on the request, where the exchange handles it.
  const fail = (error: Error): undefined => {
    process.nextTick(() => callback?.(error, undefined as never));
    return undefined;
  };
  const exchange = (options as AttemptOptions)[kExchange];
  if (!exchange) return fail(new EgressError('internal', 'direct agent used without an exchange'));
  try {
    const socket = openDirect(exchange.target, connector);
    exchange.opened();
    return socket;
  } catch (error) {
    return fail(error as Error);
  }
}

/** Keep-alive pool of a tenant's direct TLS connections, one per host. */
export class DirectHttpsAgent extends https.Agent {
  readonly #connector: ConnectorOptions;

  constructor(connector: ConnectorOptions, options: https.AgentOptions) {
    super(options);
    this.#connector = connector;
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: ConnectionCallback,
  ): Duplex | undefined {
    return connectFor(this.#connector, options, callback);
  }
}

/** The same for plain `http:` targets (never WhatsApp's). */
export class DirectHttpAgent extends http.Agent {
  readonly #connector: ConnectorOptions;

  constructor(connector: ConnectorOptions, options: http.AgentOptions) {
    super(options);
    this.#connector = connector;
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: ConnectionCallback,
  ): Duplex | undefined {
    return connectFor(this.#connector, options, callback);
  }
}
