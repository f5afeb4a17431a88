import https from 'node:https';
import type { Duplex } from 'node:stream';
import { Agent as UndiciAgent } from 'undici';
import type { Dispatcher } from 'undici';
import { EGRESS_DEFAULTS } from './defaults.js';
import type { PairSocket } from './socket-pair.js';
import { makeTarget } from './target.js';
import type { Target } from './target.js';

/** Opens an in-process connection to the egress for a target, or throws a coded error. */
export type OpenLink = (target: Target) => PairSocket;

type ConnectionCallback = (error: Error | null, socket?: Duplex) => void;

interface AgentConnectOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  servername?: string | null;
}

/**
 * The Node face: an `https.Agent` for Baileys' `agent` (the `ws` WebSocket)
 * and `fetchAgent` (media uploads with `https.request`). Each connection it
 * makes is an in-process socket into the egress, in clear text: TLS is the
 * egress's business on the real connection, with the real server name.
 */
export class EgressAgent extends https.Agent {
  readonly #open: OpenLink;

  constructor(open: OpenLink) {
    super({ keepAlive: true, scheduling: 'lifo', timeout: EGRESS_DEFAULTS.faceIdleMs });
    this.#open = open;
  }

  override createConnection(options: AgentConnectOptions, callback: ConnectionCallback): Duplex {
    const host = options.host ?? options.hostname ?? 'localhost';
    try {
      return this.#open(makeTarget('https:', host, options.port ?? 443, options.servername));
    } catch (error) {
      // Through the callback, Node reports it on the request (an error
      // emitted by a socket before the request listens would be unhandled).
      process.nextTick(callback, error as Error);
      return undefined as unknown as Duplex;
    }
  }
}

/**
 * The undici face: a Dispatcher for Baileys' `options.dispatcher` and every
 * fetch the product makes for the tenant. It works as the dispatcher of
 * Node 20's own `fetch` (bundled undici 6), since undici 7's dispatchers
 * accept the older handler interface. The egress keeps the deadlines, so
 * undici's own header and body timers are off.
 */
export function createEgressDispatcher(open: OpenLink): Dispatcher {
  return new UndiciAgent({
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: EGRESS_DEFAULTS.faceIdleMs,
    keepAliveMaxTimeout: EGRESS_DEFAULTS.faceIdleMs,
    connect: (options, callback) => {
      let socket: PairSocket;
      try {
        socket = open(
          makeTarget(options.protocol, options.hostname, options.port, options.servername),
        );
      } catch (error) {
        process.nextTick(callback, error as Error, null);
        return;
      }
      // undici resumes its queue when this callback returns; called
      // synchronously it would find itself still connecting and stall.
      process.nextTick(callback, null, socket as never);
    },
  });
}
