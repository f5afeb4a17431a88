import type http from 'node:http';
import { EGRESS_DEFAULTS } from '../defaults.js';
import type { EgressDeadlines } from '../defaults.js';
import type { HttpExchange, RouteCarrier, UpgradeExchange } from '../exchange.js';
import { DirectHttpAgent, DirectHttpsAgent } from './agents.js';
import type { ConnectorOptions } from './connect.js';
import { forwardHttpDirect } from './http.js';
import { forwardUpgradeDirect } from './upgrade.js';

/**
 * The direct route of one tenant: its own pool of connections from this
 * host to the upstreams, kept apart from every other tenant's so each
 * connection in the audit belongs to exactly one tenant.
 */
export class DirectRoute implements RouteCarrier {
  readonly #connector: ConnectorOptions;
  readonly #deadlines: EgressDeadlines;
  readonly #https: DirectHttpsAgent;
  #http: DirectHttpAgent | undefined;

  constructor(connector: ConnectorOptions, deadlines: EgressDeadlines) {
    this.#connector = connector;
    this.#deadlines = deadlines;
    this.#https = new DirectHttpsAgent(connector, this.#agentOptions());
  }

  forwardHttp(exchange: HttpExchange): void {
    forwardHttpDirect(
      exchange,
      { https: this.#https, http: () => this.#plainAgent() },
      this.#deadlines,
    );
  }

  forwardUpgrade(exchange: UpgradeExchange): void {
    forwardUpgradeDirect(exchange, this.#connector, this.#deadlines);
  }

  close(): void {
    this.#https.destroy();
    this.#http?.destroy();
  }

  #plainAgent(): DirectHttpAgent {
    this.#http ??= new DirectHttpAgent(this.#connector, this.#agentOptions());
    return this.#http;
  }

  #agentOptions(): http.AgentOptions {
    // `timeout` closes idle pooled connections; on a busy one Node only
    // emits 'timeout', which nothing acts on: the exchange deadline rules.
    return { keepAlive: true, scheduling: 'lifo', timeout: EGRESS_DEFAULTS.directIdleMs };
  }
}
