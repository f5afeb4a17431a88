import type { EgressPolicy } from '@pasarela/shared';
import { EgressError } from './errors.js';
import { HttpExchange, UpgradeExchange } from './exchange.js';
import type { Exchange, ExchangeHooks, ExchangeInit, RouteFailure } from './exchange.js';
import { decideRoute } from './route.js';
import type { PeerView } from './route.js';
import { describeTarget, targetName } from './target.js';

export type FallbackPlan =
  | { readonly kind: 'retry'; readonly init: ExchangeInit }
  | { readonly kind: 'fail'; readonly error: EgressError };

export interface FallbackContext {
  readonly tenant: string;
  readonly policy: EgressPolicy;
  readonly peer: PeerView | null;
  readonly closed: boolean;
}

/**
 * The replay rules for an exchange its route gave up early: the direct
 * route takes it over only when no byte of the answer arrived, it may be
 * repeated (or never left) and the failure allows it, and its body could
 * be kept; otherwise the client hears the code (`outcome_unknown` when the
 * request may have reached the upstream).
 */
export function planFallback(
  exchange: Exchange,
  failure: RouteFailure,
  context: FallbackContext,
): FallbackPlan {
  const decision = context.closed
    ? ({ route: 'refuse', code: 'egress_closed', reason: 'not_replayable' } as const)
    : decideRoute({
        policy: context.policy,
        peer: context.peer,
        leg: exchange.leg,
        whatsapp: exchange.target.whatsapp,
        replaySafe: exchange.replaySafe || failure.notSent,
        previous: { code: failure.error.code, responseStarted: failure.responseStarted },
      });
  const bodyLost = exchange instanceof HttpExchange && failure.body === null;
  if (decision.route === 'direct' && !bodyLost) {
    return {
      kind: 'retry',
      init: {
        face: exchange.face,
        target: exchange.target,
        path: exchange.path,
        method: exchange.method,
        leg: exchange.leg,
        route: 'direct',
        reason: decision.reason,
        replaySafe: exchange.replaySafe,
        client: exchange.client,
        previous: failure.error.code,
      },
    };
  }
  const code = decision.route === 'refuse' ? decision.code : 'outcome_unknown';
  if (code === failure.error.code) return { kind: 'fail', error: failure.error };
  const where = describeTarget(exchange.target, exchange.path);
  return {
    kind: 'fail',
    error: new EgressError(
      code,
      `${where} failed on the ${exchange.route} route: ${failure.error.message}`,
      {
        tenant: context.tenant,
        host: targetName(exchange.target),
        leg: exchange.leg,
        first: failure.error.code,
      },
    ),
  };
}

/** The same request as a new exchange on the direct route, its body replayed if it has one. */
export function retryOf(
  exchange: Exchange,
  init: ExchangeInit,
  hooks: ExchangeHooks,
  failure: RouteFailure,
): HttpExchange | UpgradeExchange | undefined {
  if (exchange instanceof HttpExchange) {
    const body = failure.body ?? exchange.body;
    return new HttpExchange(init, hooks, exchange.request, exchange.response, body);
  }
  if (exchange instanceof UpgradeExchange) {
    return new UpgradeExchange(init, hooks, exchange.request, exchange.head, exchange.clientEnd);
  }
  return undefined;
}
