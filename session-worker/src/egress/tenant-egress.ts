import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EgressPolicy } from '@pasarela/shared';
import type { Dispatcher } from 'undici';
import type { AuditCounters, EgressAudit } from './audit.js';
import { isBrowserRelayable, legOf } from './classify.js';
import { parsePolicy } from './config.js';
import { copyRouteCounters, countExchange, emptyRouteCounters } from './counters.js';
import type { RouteCounterSet } from './counters.js';
import { EGRESS_DEFAULTS } from './defaults.js';
import type { EgressDeadlines } from './defaults.js';
import type { ConnectorOptions } from './direct/connect.js';
import { DirectRoute } from './direct/index.js';
import type { TenantEgress } from './egress.js';
import { EgressError } from './errors.js';
import { HttpExchange, UpgradeExchange } from './exchange.js';
import type {
  Exchange,
  ExchangeHooks,
  ExchangeInit,
  ExchangeOutcome,
  Face,
  RouteCarrier,
  RouteFailure,
} from './exchange.js';
import { EgressAgent, createEgressDispatcher } from './faces.js';
import { planFallback, retryOf } from './fallback.js';
import { openFrontLink } from './front.js';
import type { FrontHandler, FrontLink } from './front.js';
import type { EgressLogger } from './logger.js';
import { decideRoute } from './route.js';
import type { PeerView, Route, RouteDecision } from './route.js';
import { exchangeReport, replaySafeFor, reportLine, websocketActivity } from './report.js';
import type { PairSocket } from './socket-pair.js';
import { describeTarget, targetName } from './target.js';
import type { Target } from './target.js';
import type { EgressActivity, EgressEvents, TunnelAttachment } from './tunnel-attachment.js';

export interface EgressSetup {
  readonly tenant: string;
  readonly policy: EgressPolicy;
  readonly audit: EgressAudit;
  readonly logger: EgressLogger;
  readonly connector: ConnectorOptions;
  readonly deadlines: EgressDeadlines;
}

type Start = { init: ExchangeInit; carrier: RouteCarrier };

/**
 * One tenant's egress: the handler of its in-process connections. Each
 * request or upgrade gets its route decision here, is refused or handed to
 * the route's carrier, may be handed to the other route under the replay
 * rules, and every connection a carrier opens is recorded.
 */
export class Egress implements TenantEgress, FrontHandler {
  readonly tenant: string;
  readonly agent: EgressAgent;
  readonly dispatcher: Dispatcher;
  readonly events = new EventEmitter<EgressEvents>();
  readonly #audit: EgressAudit;
  readonly #logger: EgressLogger;
  readonly #direct: DirectRoute;
  readonly #links = new Set<PairSocket>();
  readonly #live = new Set<Exchange>();
  readonly #hooks: ExchangeHooks;
  readonly #counters: RouteCounterSet = {
    direct: emptyRouteCounters(),
    tunnel: emptyRouteCounters(),
  };
  #tunnel: TunnelAttachment | undefined;
  #websocket: UpgradeExchange | undefined;
  #policy: EgressPolicy;
  #closing: Promise<void> | undefined;

  constructor(setup: EgressSetup) {
    this.tenant = setup.tenant;
    this.#policy = setup.policy;
    this.#audit = setup.audit;
    this.#logger = setup.logger;
    this.#direct = new DirectRoute(setup.connector, setup.deadlines);
    this.#hooks = {
      opened: (exchange) => this.#opened(exchange),
      established: (exchange) => {
        if (exchange === this.#websocket)
          this.events.emit('websocket', websocketActivity(exchange));
      },
      settled: (exchange, outcome) => this.#settled(exchange, outcome),
      fallback: (exchange, failure) => this.#fallback(exchange, failure),
    };
    this.agent = new EgressAgent((target) => this.#openLink('agent', target));
    this.dispatcher = createEgressDispatcher((target) => this.#openLink('dispatcher', target));
  }

  get policy(): EgressPolicy {
    return this.#policy;
  }

  set policy(policy: EgressPolicy) {
    this.setPolicy(policy);
  }

  get peer(): PeerView | null {
    return this.#tunnel?.peer() ?? null;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  get tunnel(): TunnelAttachment | undefined {
    return this.#tunnel;
  }

  attachTunnel(tunnel: TunnelAttachment): void {
    if (this.closed) throw new EgressError('egress_closed', undefined, { tenant: this.tenant });
    if (this.#tunnel && this.#tunnel !== tunnel) this.#tunnel.carrier.close();
    this.#tunnel = tunnel;
  }

  detachTunnel(tunnel: TunnelAttachment): void {
    if (this.#tunnel !== tunnel) return;
    this.#tunnel = undefined;
    tunnel.carrier.close();
  }

  setPolicy(policy: EgressPolicy): void {
    const next = parsePolicy(policy, 'policy');
    if (next === this.#policy) return;
    this.#log('info', { from: this.#policy, to: next }, 'egress policy changed');
    this.#policy = next;
    this.events.emit('policy', next);
    if (next !== 'tunnel-only') return;
    for (const exchange of [...this.#live]) {
      if (exchange.route !== 'direct' || !exchange.target.whatsapp) continue;
      exchange.fail(
        new EgressError('no_peer', 'policy is tunnel-only; the direct connection was ended', {
          tenant: this.tenant,
          host: targetName(exchange.target),
        }),
      );
    }
  }

  stats(): AuditCounters {
    return this.#audit.tenant(this.tenant);
  }

  routeCounters(): RouteCounterSet {
    return copyRouteCounters(this.#counters);
  }

  activity(): EgressActivity {
    const http: Record<Route, number> = { direct: 0, tunnel: 0 };
    for (const exchange of this.#live) {
      if (exchange instanceof HttpExchange) http[exchange.route] += 1;
    }
    return { http, websocket: websocketActivity(this.#websocket) };
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = Promise.resolve();
    const error = new EgressError('egress_closed', `the egress of ${this.tenant} was closed`, {
      tenant: this.tenant,
    });
    for (const exchange of [...this.#live]) exchange.fail(error);
    for (const socket of [...this.#links]) socket.abort(error);
    this.agent.destroy();
    this.#direct.close();
    this.#tunnel?.carrier.close();
    this.#tunnel = undefined;
    this.events.emit('closed');
    // The undici face is left open on purpose: its connections were just
    // ended, and a later fetch then fails with egress_closed when it asks
    // for a new one, rather than with undici's own "destroyed" error.
    return this.#closing;
  }

  handleRequest(request: IncomingMessage, response: ServerResponse, link: FrontLink): void {
    const relayable = isBrowserRelayable(targetName(link.target), 'download');
    this.#whenSettled(link.target, relayable, () => {
      if (response.destroyed || link.socket.destroyed) return;
      const start = this.#start(link, request, false);
      if (!start) return;
      const exchange = new HttpExchange(start.init, this.#hooks, request, response);
      this.#live.add(exchange);
      start.carrier.forwardHttp(exchange);
    });
  }

  handleUpgrade(request: IncomingMessage, socket: PairSocket, head: Buffer, link: FrontLink): void {
    this.#whenSettled(link.target, true, () => {
      if (socket.destroyed) return;
      const start = this.#start(link, request, true);
      if (!start) return;
      const exchange = new UpgradeExchange(start.init, this.#hooks, request, head, link.peer);
      this.#forwardUpgrade(exchange, start.carrier);
    });
  }

  #forwardUpgrade(exchange: UpgradeExchange, carrier: RouteCarrier): void {
    this.#live.add(exchange);
    if (exchange.target.whatsapp) this.#trackWebSocket(exchange);
    // Node's server stops watching an upgraded socket, and nothing reads it
    // until the upstream switches protocols: a client that gives up first
    // (its own handshake timeout) is noticed on its own end.
    exchange.client.on('error', () => exchange.abandon());
    exchange.clientEnd.once('close', () => {
      if (!exchange.established) exchange.abandon();
    });
    carrier.forwardUpgrade(exchange);
  }

  /**
   * Runs `decide` once the tunnel knows whether a peer is there, for
   * WhatsApp traffic the tunnel might carry; at once otherwise.
   */
  #whenSettled(target: Target, relayable: boolean, decide: () => void): void {
    const carried = target.whatsapp && relayable && this.#policy !== 'direct';
    const waiting = carried ? this.#tunnel?.settling() : null;
    if (!waiting) {
      decide();
      return;
    }
    waiting.then(decide, decide);
  }

  /** The route decision for one request; refusals end here. */
  #start(link: FrontLink, request: IncomingMessage, upgrade: boolean): Start | undefined {
    const { target } = link;
    const path = request.url ?? '/';
    const method = request.method ?? 'GET';
    const leg = legOf(method, upgrade);
    const replaySafe = replaySafeFor(method, target, path);
    if (this.closed) {
      link.socket.abort(new EgressError('egress_closed', undefined, { tenant: this.tenant }));
      return undefined;
    }
    const decision = decideRoute({
      policy: this.#policy,
      peer: this.peer,
      leg,
      whatsapp: target.whatsapp,
      relayable: isBrowserRelayable(targetName(target), leg),
      replaySafe,
    });
    if (decision.route === 'refuse') {
      this.#refuse(link.face, link.socket, target, path, leg, decision);
      return undefined;
    }
    const carrier = this.#carrier(decision.route);
    if (!carrier) {
      link.socket.abort(new EgressError('no_peer', 'this worker has no tunnel route'));
      return undefined;
    }
    const init: ExchangeInit = {
      face: link.face,
      target,
      path,
      method,
      leg,
      route: decision.route,
      reason: decision.reason,
      replaySafe,
      client: link.socket,
    };
    return { init, carrier };
  }

  #carrier(route: Route): RouteCarrier | undefined {
    return route === 'direct' ? this.#direct : this.#tunnel?.carrier;
  }

  /**
   * The replay rules after a route gave up early: the other route only when
   * no byte of the answer arrived, the request may be repeated (or never
   * left) and the failure allows it; otherwise the client hears the code.
   */
  #fallback(exchange: Exchange, failure: RouteFailure): void {
    this.#report(exchange, failure.error, true);
    this.#live.delete(exchange);
    const plan = planFallback(exchange, failure, {
      tenant: this.tenant,
      policy: this.#policy,
      peer: this.peer,
      closed: this.closed,
    });
    const retry =
      plan.kind === 'retry' ? retryOf(exchange, plan.init, this.#hooks, failure) : undefined;
    if (retry instanceof HttpExchange) {
      this.#live.add(retry);
      this.#direct.forwardHttp(retry);
      return;
    }
    if (retry instanceof UpgradeExchange) {
      this.#forwardUpgrade(retry, this.#direct);
      return;
    }
    const error =
      plan.kind === 'fail' ? plan.error : new EgressError('internal', 'nothing to retry');
    exchange.client.abort(error);
    this.#websocketEnded(exchange);
    const where = describeTarget(exchange.target, exchange.path);
    this.#log('warn', { code: error.code, target: where, leg: exchange.leg }, error.message);
  }

  #refuse(
    face: Face,
    socket: PairSocket,
    target: Target,
    path: string,
    leg: ReturnType<typeof legOf>,
    decision: Extract<RouteDecision, { route: 'refuse' }>,
  ): void {
    this.#audit.record({
      tenant: this.tenant,
      source: face,
      host: targetName(target),
      port: target.port,
      leg,
      route: null,
      reason: decision.reason,
      refused: decision.code,
      policy: this.#policy,
      peer: this.peer,
    });
    const where = describeTarget(target, path);
    const error = new EgressError(
      decision.code,
      `${where} refused under policy ${this.#policy} (${decision.reason})`,
      { tenant: this.tenant, host: targetName(target), leg, reason: decision.reason },
    );
    this.#log('warn', { code: error.code, target: where, leg, reason: decision.reason }, 'refused');
    socket.abort(error);
  }

  #openLink(face: Face, target: Target): PairSocket {
    if (this.closed) {
      throw new EgressError('egress_closed', `the egress of ${this.tenant} is closed`, {
        tenant: this.tenant,
      });
    }
    const { client, link } = openFrontLink(this, face, target, EGRESS_DEFAULTS.pairHighWaterMark);
    this.#links.add(link.socket);
    link.socket.once('close', () => this.#links.delete(link.socket));
    return client;
  }

  #opened(exchange: Exchange): void {
    const record = this.#audit.record({
      tenant: this.tenant,
      source: exchange.face,
      host: targetName(exchange.target),
      port: exchange.target.port,
      leg: exchange.leg,
      route: exchange.route,
      reason: exchange.reason,
      policy: this.#policy,
      peer: this.peer,
    });
    const fields = {
      target: describeTarget(exchange.target, exchange.path),
      leg: exchange.leg,
      route: exchange.route,
      reason: exchange.reason,
    };
    if (record.leak) this.#log('error', fields, 'leak: direct connection while the tunnel is up');
    else this.#log('debug', fields, 'connection opened');
  }

  #settled(exchange: Exchange, outcome: ExchangeOutcome): void {
    this.#live.delete(exchange);
    this.#websocketEnded(exchange);
    const error = outcome.error;
    this.#report(exchange, error, false);
    if (!error) return;
    if (error.code === 'upstream_unreachable') this.#audit.recordFailure(this.tenant);
    const level = error.code === 'egress_closed' ? 'debug' : 'warn';
    this.#log(
      level,
      {
        code: error.code,
        target: describeTarget(exchange.target, exchange.path),
        leg: exchange.leg,
        route: exchange.route,
      },
      error.message,
    );
  }

  /** Counts the exchange on its route, logs its line and tells listeners. */
  #report(exchange: Exchange, error: EgressError | undefined, handedOff: boolean): void {
    countExchange(this.#counters, {
      route: exchange.route,
      bytesSent: exchange.bytesSent,
      bytesReceived: exchange.bytesReceived,
      ...(error ? { code: error.code } : {}),
      handedOff,
    });
    const report = exchangeReport(this.tenant, exchange, error, handedOff);
    const message = handedOff ? 'relayed request handed to the other route' : 'request finished';
    this.#log('debug', reportLine(exchange, report), message);
    this.events.emit('exchange', report);
  }

  #trackWebSocket(exchange: UpgradeExchange): void {
    this.#websocket = exchange;
    this.events.emit('websocket', websocketActivity(exchange));
  }

  #websocketEnded(exchange: Exchange): void {
    if (exchange !== this.#websocket) return;
    let next: UpgradeExchange | undefined;
    for (const other of this.#live) {
      if (other instanceof UpgradeExchange && other.target.whatsapp) next = other;
    }
    this.#websocket = next;
    this.events.emit('websocket', websocketActivity(next));
  }

  #log(level: keyof EgressLogger, fields: Record<string, unknown>, message: string): void {
    this.#logger[level]({ tenant: this.tenant, ...fields }, message);
  }
}
