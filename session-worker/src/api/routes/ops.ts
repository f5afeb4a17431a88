import { z } from 'zod';
import type { RouteRegistry } from '../registry.js';
import type { ApiServices } from '../services.js';

const TAG = ['operations'];
const started = Date.now();

/**
 * Health, readiness, Prometheus metrics and the egress audit. The OpenAPI
 * document's own route is added by the app, once every route is in.
 */
export function registerOpsRoutes(api: RouteRegistry, services: ApiServices): void {
  api.register({
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness: the process answers',
    tags: TAG,
    access: 'public',
    responses: {
      200: {
        description: 'Alive.',
        schema: z.object({ status: z.literal('ok'), uptimeMs: z.number() }),
      },
    },
    handler: async ({ c }) => c.json({ status: 'ok' as const, uptimeMs: Date.now() - started }),
  });

  api.register({
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'Readiness: the store answers, leases run, no shutdown began',
    tags: TAG,
    access: 'public',
    responses: {
      200: {
        description: 'Ready.',
        schema: z.object({
          ready: z.boolean(),
          checks: z.record(
            z.string(),
            z.object({ ok: z.boolean(), error: z.string().optional(), ms: z.number() }),
          ),
        }),
      },
      503: { description: 'Not ready; `checks` says why.' },
    },
    handler: async ({ c }) => {
      const report = await services.readiness.report();
      return c.json(report, report.ready ? 200 : 503);
    },
  });

  api.register({
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics',
    description: 'Needs the admin key or the metrics token as a bearer token.',
    tags: TAG,
    access: 'metrics',
    responses: { 200: { description: 'Text exposition format.', contentType: 'text/plain' } },
    handler: async () => {
      const registry = services.metrics.registry;
      return new Response(await registry.metrics(), {
        headers: { 'content-type': registry.contentType },
      });
    },
  });

  api.register({
    method: 'get',
    path: '/api/egress/audit',
    operationId: 'egressAudit',
    summary: 'The egress audit: connections per tenant and route, leaks, tenant-less traffic',
    tags: TAG,
    access: 'admin',
    responses: {
      200: { description: 'The audit snapshot.', schema: z.record(z.string(), z.unknown()) },
    },
    handler: async ({ c }) => c.json(services.audit.snapshot()),
  });
}
