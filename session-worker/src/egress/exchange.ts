import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Leg } from '@pasarela/shared';
import type { EgressError, EgressErrorCode } from './errors.js';
import type { Route } from './route.js';
import type { PairSocket } from './socket-pair.js';
import type { Target } from './target.js';

export type Face = 'agent' | 'dispatcher';

/** How an exchange ended, as the egress counts and logs it. */
export interface ExchangeOutcome {
  /** The error that ended it, when it failed. */
  readonly error?: EgressError;
  /** It was handed to another route (see `RouteFailure`); the client saw nothing of it. */
  readonly handedOff?: boolean;
}

/**
 * A route gave up on an exchange before its client saw any of the answer.
 * The egress applies the replay rules: another route may take it over.
 */
export interface RouteFailure {
  readonly error: EgressError;
  /** A byte of the response reached the egress: the exchange can never be sent again. */
  readonly responseStarted: boolean;
  /**
   * The request provably never left toward the upstream (refused on arrival
   * by the room or the peer), so sending it elsewhere repeats nothing.
   */
  readonly notSent: boolean;
  /**
   * For an HTTP exchange with a body: the body again from its first byte,
   * or null when it could not be kept (then it cannot be sent again).
   */
  readonly body?: Readable | null;
}

export interface ExchangeHooks {
  /** A route opened a new connection (or relayed stream) for this exchange. */
  opened(exchange: Exchange): void;
  /** The upstream accepted the WebSocket. */
  established(exchange: Exchange): void;
  /** The exchange ended. */
  settled(exchange: Exchange, outcome: ExchangeOutcome): void;
  /** The route gave up early; the egress decides whether another route takes it. */
  fallback(exchange: Exchange, failure: RouteFailure): void;
}

export interface ExchangeInit {
  readonly face: Face;
  readonly target: Target;
  readonly path: string;
  readonly method: string;
  readonly leg: Leg;
  readonly route: Route;
  readonly reason: string;
  readonly replaySafe: boolean;
  readonly client: PairSocket;
  /** The code of the earlier attempt on another route that this one replaces. */
  readonly previous?: EgressErrorCode;
}

/**
 * One request or WebSocket a client sent through a face, from the route
 * decision to its end. Routes register what to tear down, report the
 * connections they open, and end it with `finish`, `fail` or `fallBack`;
 * failing hands the client the coded error on its own connection.
 */
export class Exchange {
  readonly face: Face;
  readonly target: Target;
  /** Request path with its query, as sent; never logged as is. */
  readonly path: string;
  readonly method: string;
  readonly leg: Leg;
  readonly route: Route;
  readonly reason: string;
  readonly replaySafe: boolean;
  /** The egress's end of the client's in-process connection. */
  readonly client: PairSocket;
  readonly previous: EgressErrorCode | undefined;
  readonly startedAt = Date.now();
  /** Body or WebSocket bytes toward the upstream, and from it. */
  bytesSent = 0;
  bytesReceived = 0;
  /** The upstream's status, once an HTTP answer arrived. */
  status: number | null = null;
  /** When the last byte moved toward the upstream, and from it (WebSocket quietness). */
  lastSentAt = 0;
  lastReceivedAt = 0;
  readonly #hooks: ExchangeHooks;
  readonly #cleanups: Array<() => void> = [];
  #settled = false;
  #established = false;

  constructor(init: ExchangeInit, hooks: ExchangeHooks) {
    this.face = init.face;
    this.target = init.target;
    this.path = init.path;
    this.method = init.method;
    this.leg = init.leg;
    this.route = init.route;
    this.reason = init.reason;
    this.replaySafe = init.replaySafe;
    this.client = init.client;
    this.previous = init.previous;
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
    if (this.#established) return;
    this.#established = true;
    this.#hooks.established(this);
  }

  /** Counts bytes that moved toward the upstream. */
  sent(bytes: number): void {
    this.bytesSent += bytes;
    this.lastSentAt = Date.now();
  }

  /** Counts bytes that came from the upstream. */
  received(bytes: number): void {
    this.bytesReceived += bytes;
    this.lastReceivedAt = Date.now();
  }

  /**
   * `cleanup` runs once when the exchange fails, falls back or is abandoned (not when it finishes).
   */
  onFail(cleanup: () => void): void {
    this.#cleanups.push(cleanup);
  }

  opened(): void {
    this.#hooks.opened(this);
  }

  finish(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#hooks.settled(this, {});
  }

  /** The client left: tear the exchange down without blaming anyone. */
  abandon(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#cleanup();
    this.#hooks.settled(this, {});
  }

  fail(error: EgressError): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#cleanup();
    this.client.abort(error);
    this.#hooks.settled(this, { error });
  }

  /**
   * The route gives the exchange up before the client saw anything of the
   * answer. The client's connection stays as it is: the egress either hands
   * the exchange to another route or fails it with the replay rules' code.
   */
  fallBack(failure: RouteFailure): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#cleanup();
    this.#hooks.fallback(this, failure);
  }

  #cleanup(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }
}

export class HttpExchange extends Exchange {
  /** Where the request body is read from: the request, or a replay of it on a second route. */
  readonly body: Readable;

  constructor(
    init: ExchangeInit,
    hooks: ExchangeHooks,
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    body?: Readable,
  ) {
    super(init, hooks);
    this.body = body ?? request;
  }
}

export class UpgradeExchange extends Exchange {
  constructor(
    init: ExchangeInit,
    hooks: ExchangeHooks,
    readonly request: IncomingMessage,
    /** Bytes the client sent after its upgrade request. */
    readonly head: Buffer,
    /** The client's own end of the in-process connection, to notice it leave. */
    readonly clientEnd: PairSocket,
  ) {
    super(init, hooks);
  }
}

/** What a route does with exchanges: the direct route and the tunnel each implement it. */
export interface RouteCarrier {
  forwardHttp(exchange: HttpExchange): void;
  forwardUpgrade(exchange: UpgradeExchange): void;
  close(): void;
}
