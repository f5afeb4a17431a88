import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EgressPolicy } from '@pasarela/shared';
import type { Dispatcher } from 'undici';
import type { AuditCounters, EgressAudit } from './audit.js';
import { isReplaySafe, legOf } from './classify.js';
import { parsePolicy } from './config.js';
import { EGRESS_DEFAULTS } from './defaults.js';
import type { EgressDeadlines } from './defaults.js';
import type { ConnectorOptions } from './direct/connect.js';
import { DirectRoute } from './direct/index.js';
import type { TenantEgress } from './egress.js';
import { EgressError } from './errors.js';
import { HttpExchange, UpgradeExchange } from './exchange.js';
import type { Exchange, ExchangeHooks, Face, RouteCarrier } from './exchange.js';
import { EgressAgent, createEgressDispatcher } from './faces.js';
import { openFrontLink } from './front.js';
import type { FrontHandler, FrontLink } from './front.js';
import type { EgressLogger } from './logger.js';
import { decideRoute } from './route.js';
import type { PeerView, RouteDecision } from './route.js';
import type { PairSocket } from './socket-pair.js';
import { describeTarget, targetName } from './target.js';
import type { Target } from './target.js';

export interface EgressSetup {
  readonly tenant: string;
  readonly policy: EgressPolicy;
  readonly audit: EgressAudit;
  readonly logger: EgressLogger;
  readonly connector: ConnectorOptions;
  readonly deadlines: EgressDeadlines;
}

/**
 * One tenant's egress: the handler of its in-process connections. Each
 * request or upgrade gets its route decision here, is refused or handed to
 * the route's carrier, and every connection a carrier opens is recorded.
 */
export class Egress implements TenantEgress, FrontHandler {
  readonly tenant: string;
  readonly agent: EgressAgent;
  readonly dispatcher: Dispatcher;
  readonly #audit: EgressAudit;
  readonly #logger: EgressLogger;
  readonly #routes: { direct: RouteCarrier; tunnel?: RouteCarrier };
  readonly #links = new Set<PairSocket>();
  readonly #live = new Set<Exchange>();
  readonly #hooks: ExchangeHooks;
  #policy: EgressPolicy;
  #closing: Promise<void> | undefined;

  constructor(setup: EgressSetup) {
    this.tenant = setup.tenant;
    this.#policy = setup.policy;
    this.#audit = setup.audit;
    this.#logger = setup.logger;
    this.#routes = { direct: new DirectRoute(setup.connector, setup.deadlines) };
    this.#hooks = {
      opened: (exchange) => this.#opened(exchange),
      settled: (exchange, error) => this.#settled(exchange, error),
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
    return null;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  setPolicy(policy: EgressPolicy): void {
    const next = parsePolicy(policy, 'policy');
    if (next === this.#policy) return;
    this.#log('info', { from: this.#policy, to: next }, 'egress policy changed');
    this.#policy = next;
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

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = Promise.resolve();
    const error = new EgressError('egress_closed', `the egress of ${this.tenant} was closed`, {
      tenant: this.tenant,
    });
    for (const exchange of [...this.#live]) exchange.fail(error);
    for (const socket of [...this.#links]) socket.abort(error);
    this.agent.destroy();
    this.#routes.direct.close();
    this.#routes.tunnel?.close();
    // The undici face is left open on purpose: its connections were just
    // ended, and a later fetch then fails with egress_closed when it asks
    // for a new one, rather than with undici's own "destroyed" error.
    return this.#closing;
  }

  handleRequest(request: IncomingMessage, response: ServerResponse, link: FrontLink): void {
    const start = this.#start(link, request, false);
    if (!start) return;
    const exchange = new HttpExchange(start.init, this.#hooks, request, response);
    this.#live.add(exchange);
    start.carrier.forwardHttp(exchange);
  }

  handleUpgrade(request: IncomingMessage, socket: PairSocket, head: Buffer, link: FrontLink): void {
    const start = this.#start(link, request, true);
    if (!start) return;
    const exchange = new UpgradeExchange(start.init, this.#hooks, request, head);
    this.#live.add(exchange);
    // Node's server stops watching an upgraded socket, and nothing reads it
    // until the upstream switches protocols: a client that gives up first
    // (its own handshake timeout) is noticed on its own end.
    socket.on('error', () => exchange.abandon());
    link.peer.once('close', () => {
      if (!exchange.established) exchange.abandon();
    });
    start.carrier.forwardUpgrade(exchange);
  }

  /** The route decision for one request; refusals end here. */
  #start(link: FrontLink, request: IncomingMessage, upgrade: boolean) {
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
      replaySafe,
    });
    if (decision.route === 'refuse') {
      this.#refuse(link, target, path, leg, decision);
      return undefined;
    }
    const carrier = this.#routes[decision.route];
    if (!carrier) {
      link.socket.abort(new EgressError('no_peer', 'this worker has no tunnel route'));
      return undefined;
    }
    const init = {
      face: link.face,
      target,
      path,
      leg,
      route: decision.route,
      reason: decision.reason,
      replaySafe,
      client: link.socket,
    };
    return { init, carrier };
  }

  #refuse(
    link: FrontLink,
    target: Target,
    path: string,
    leg: ReturnType<typeof legOf>,
    decision: Extract<RouteDecision, { route: 'refuse' }>,
  ): void {
    this.#audit.record({
      tenant: this.tenant,
      source: link.face,
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
    link.socket.abort(error);
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

  #settled(exchange: Exchange, error?: EgressError): void {
    this.#live.delete(exchange);
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

  #log(level: keyof EgressLogger, fields: Record<string, unknown>, message: string): void {
    this.#logger[level]({ tenant: this.tenant, ...fields }, message);
  }
}

function replaySafeFor(method: string, target: Target, path: string): boolean {
  try {
    return isReplaySafe(method, new URL(path, `https://${targetName(target)}`), target.whatsapp);
  } catch {
    return false;
  }
}
