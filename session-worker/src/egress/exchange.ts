import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Leg } from '@pasarela/shared';
import type { EgressError } from './errors.js';
import type { Route } from './route.js';
import type { PairSocket } from './socket-pair.js';
import type { Target } from './target.js';

export type Face = 'agent' | 'dispatcher';

export interface ExchangeHooks {
  /** A route opened a new connection for this exchange. */
  opened(exchange: Exchange): void;
  /** The exchange ended, with the error that ended it if it failed. */
  settled(exchange: Exchange, error?: EgressError): void;
}

/**
 * One request or WebSocket a client sent through a face, from the route
 * decision to its end. Routes register what to tear down, report the
 * connections they open, and end it with `finish` or `fail`; failing hands
 * the client the coded error on its own connection.
 */
export class Exchange {
  readonly face: Face;
  readonly target: Target;
  /** Request path with its query, as sent; never logged as is. */
  readonly path: string;
  readonly leg: Leg;
  readonly route: Route;
  readonly reason: string;
  readonly replaySafe: boolean;
  /** The egress's end of the client's in-process connection. */
  readonly client: PairSocket;
  readonly #hooks: ExchangeHooks;
  readonly #cleanups: Array<() => void> = [];
  #settled = false;
  #established = false;

  constructor(
    init: {
      face: Face;
      target: Target;
      path: string;
      leg: Leg;
      route: Route;
      reason: string;
      replaySafe: boolean;
      client: PairSocket;
    },
    hooks: ExchangeHooks,
  ) {
    this.face = init.face;
    this.target = init.target;
    this.path = init.path;
    this.leg = init.leg;
    this.route = init.route;
    this.reason = init.reason;
    this.replaySafe = init.replaySafe;
    this.client = init.client;
    this.#hooks = hooks;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The route has joined the client to its upstream (a WebSocket switched). */
  get established(): boolean {
    return this.#established;
  }

  establish(): void {
    this.#established = true;
  }

  /** `cleanup` runs once when the exchange fails or is abandoned (not when it finishes). */
  onFail(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  opened(): void {
    this.#hooks.opened(this);
  }

  finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#hooks.settled(this);
  }

  /** The client left: tear the exchange down without blaming anyone. */
  abandon(): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#hooks.settled(this);
  }

  fail(error: EgressError): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.client.abort(error);
    this.#hooks.settled(this, error);
  }
}

export type ExchangeInit = ConstructorParameters<typeof Exchange>[0];

export class HttpExchange extends Exchange {
  constructor(
    init: ExchangeInit,
    hooks: ExchangeHooks,
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
  ) {
    super(init, hooks);
  }
}

export class UpgradeExchange extends Exchange {
  constructor(
    init: ExchangeInit,
    hooks: ExchangeHooks,
    readonly request: IncomingMessage,
    /** Bytes the client sent after its upgrade request. */
    readonly head: Buffer,
  ) {
    super(init, hooks);
  }
}

/** What a route does with exchanges; the tunnel route adds a second one. */
export interface RouteCarrier {
  forwardHttp(exchange: HttpExchange): void;
  forwardUpgrade(exchange: UpgradeExchange): void;
  close(): void;
}
