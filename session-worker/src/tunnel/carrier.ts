import { EgressError } from '../egress/index.js';
import type { HttpExchange, RouteCarrier, UpgradeExchange } from '../egress/index.js';
import type { StreamContext } from './streams/context.js';
import { relayHttp } from './streams/http-relay.js';
import { relayWebSocket } from './streams/ws-relay.js';

/**
 * The tunnel route of one tenant's egress: HTTP exchanges and the upstream
 * WebSocket relayed through the tenant's room to its primary peer.
 */
export class TunnelCarrier implements RouteCarrier {
  readonly #ctx: StreamContext;

  constructor(ctx: StreamContext) {
    this.#ctx = ctx;
  }

  forwardHttp(exchange: HttpExchange): void {
    relayHttp(exchange, this.#ctx);
  }

  forwardUpgrade(exchange: UpgradeExchange): void {
    relayWebSocket(exchange, this.#ctx);
  }

  /** The tunnel is detached: every stream still open ends as a lost link. */
  close(): void {
    this.#ctx.table.endAll(
      new EgressError('tunnel_lost', 'the tunnel was detached from the egress', {
        tenant: this.#ctx.tenant,
      }),
    );
  }
}
