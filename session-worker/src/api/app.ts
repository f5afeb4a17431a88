import { createHash, randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { matchedRoutes } from 'hono/route';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { ApiSettings } from '../config/index.js';
import { ApiError, allErrorCodes, errorAnswer } from './errors.js';
import { ApiKeys } from './keys.js';
import { buildOpenApi } from './openapi.js';
import { RouteRegistry } from './registry.js';
import { registerEventRoutes } from './routes/events.js';
import { registerImportRoute } from './routes/import.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerTunnelRoutes } from './routes/tunnel.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import type { ApiServices } from './services.js';

/**
 * A layer that adds routes through the same registry, so they get the same
 * key checks, validation, metrics and OpenAPI entries as the built-in ones.
 */
export type RouteExtension = (api: RouteRegistry, services: ApiServices) => void;

export interface ApiOptions {
  readonly services: Omit<ApiServices, 'keys'> & { readonly keys?: ApiKeys };
  readonly adminKeyHash: Buffer;
  readonly settings: ApiSettings;
  readonly logger: Logger;
  readonly extensions?: readonly RouteExtension[];
  readonly version?: string;
}

export interface Api {
  readonly app: Hono;
  readonly registry: RouteRegistry;
  readonly services: ApiServices;
  /** The OpenAPI document, as served at `/openapi.json`. */
  document(): Record<string, unknown>;
}

/**
 * The worker's HTTP API on Hono: every route from the registry, one
 * request logger child per request, request metrics by route pattern, and
 * every error answered with its catalogue code.
 */
export function createApi(options: ApiOptions): Api {
  const services: ApiServices = {
    ...options.services,
    keys:
      options.services.keys ??
      new ApiKeys(options.services.records, options.settings.settingsPollMs),
  };
  const app = new Hono();
  const logger = options.logger.child({ component: 'api' });
  const metricsToken = options.settings.metricsToken;
  const registry = new RouteRegistry({
    app,
    logger,
    maxBodyBytes: options.settings.maxBodyBytes,
    auth: {
      keys: services.keys,
      adminKeyHash: options.adminKeyHash,
      metricsTokenHash:
        metricsToken === '' ? null : createHash('sha256').update(metricsToken).digest(),
    },
  });

  app.use('*', async (c, next) => {
    const id = c.req.header('x-request-id')?.slice(0, 64) ?? randomBytes(6).toString('hex');
    const log = logger.child({ request: id });
    c.set('log' as never, log as never);
    c.header('x-request-id', id);
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1_000;
    const route = matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
    const method = c.req.method;
    services.metrics.httpRequests.inc({ method, route, status: String(c.res.status) });
    services.metrics.httpDuration.observe({ method, route }, seconds);
    // The query goes in as sent: the line is scrubbed of tokens, keys and
    // credential parameters before it is written.
    const url = new URL(c.req.url);
    log.debug(
      {
        method,
        route,
        url: `${url.pathname}${url.search}`,
        status: c.res.status,
        ms: Math.round(seconds * 1_000),
      },
      'request',
    );
  });

  app.onError((error, c) => {
    const answer = errorAnswer(error);
    const log = (c.get('log' as never) as Logger | undefined) ?? logger;
    if (answer.status >= 500 && answer.body.error.code === 'internal') {
      log.error(
        { err: { name: (error as Error).name, message: (error as Error).message } },
        'route failed',
      );
    } else {
      log.info({ code: answer.body.error.code, status: answer.status }, 'request refused');
    }
    return c.json(answer.body, answer.status as 400);
  });
  app.notFound((c) => {
    const answer = errorAnswer(new ApiError('not_found', `no route ${c.req.method} ${c.req.path}`));
    return c.json(answer.body, 404);
  });

  registerOpsRoutes(registry, services);
  registerSessionRoutes(registry, services);
  registerImportRoute(registry, services);
  registerMessageRoutes(registry, services);
  registerEventRoutes(registry, services);
  registerWebhookRoutes(registry, services);
  registerKeyRoutes(registry, services);
  registerTunnelRoutes(registry, services);
  for (const extend of options.extensions ?? []) extend(registry, services);

  const document = () =>
    buildOpenApi(registry.routes, {
      title: 'Pasarela session worker',
      version: options.version ?? '0.1.0',
      description:
        'WhatsApp sessions of restaurants (tenants), each on its own egress: sessions, messages, ' +
        'events (SSE and webhooks), API keys, the tunnel (room tokens, stats) and operations.',
      errorCodes: allErrorCodes(),
      eventTypes: services.hub.catalogue.list(),
    });
  registry.register({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openapi',
    summary: 'This OpenAPI document',
    tags: ['operations'],
    access: 'public',
    responses: { 200: { description: 'OpenAPI 3.1.', schema: z.record(z.string(), z.unknown()) } },
    handler: async ({ c }) => c.json(document()),
  });
  return { app, registry, services, document };
}
