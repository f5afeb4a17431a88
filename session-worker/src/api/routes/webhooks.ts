import { z } from 'zod';
import type { WebhookRecord } from '../../records/index.js';
import type { Principal } from '../auth.js';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../registry.js';
import { tenantId, webhookView } from '../schemas.js';
import type { ApiServices } from '../services.js';

const TAG = ['webhooks'];

const view = (hook: WebhookRecord) => ({
  id: hook.id,
  tenantId: hook.tenant,
  url: hook.url,
  events: hook.events === null ? null : [...hook.events],
  createdAt: hook.createdAt,
});

const webhookParams = z.object({ webhookId: z.string().regex(/^wh_[A-Za-z0-9_-]{12}$/) });

/** Webhook subscriptions and their dead letters. */
export function registerWebhookRoutes(api: RouteRegistry, services: ApiServices): void {
  const owned = (principal: Principal, id: string): WebhookRecord => {
    const hook = services.webhooks.get(id);
    if (!hook) throw new ApiError('webhook_not_found', undefined, { webhookId: id });
    if (principal.kind === 'tenant' && hook.tenant !== principal.tenant) {
      throw new ApiError('auth_wrong_tenant', undefined, { keyId: principal.keyId });
    }
    return hook;
  };

  api.register({
    method: 'post',
    path: '/api/webhooks',
    operationId: 'createWebhook',
    summary: 'Subscribe a URL to events',
    description:
      'Deliveries are POSTs of the event JSON, signed ' +
      'in `X-Pasarela-Signature: t=<unix>,v1=<hex>` ' +
      '(HMAC-SHA256 with the secret over `<t>.<body>`), retried with backoff and kept as dead ' +
      'letters after the last attempt. The URL must be https and pass the same guard as media ' +
      'URLs. The secret is shown only in this answer.',
    tags: TAG,
    access: 'any',
    body: z.strictObject({
      url: z.string().max(2_048),
      events: z.array(z.string().max(100)).min(1).max(50).optional().describe('All when absent.'),
      tenantId: tenantId
        .nullable()
        .optional()
        .describe('Admin key only: one tenant, or null for every tenant.'),
    }),
    responses: {
      201: {
        description: 'The subscription, with its signing secret.',
        schema: webhookView.extend({ secret: z.string() }),
      },
    },
    handler: async ({ c, body, principal }) => {
      let tenant: string | null;
      if (principal.kind === 'tenant') {
        if (body.tenantId !== undefined && body.tenantId !== principal.tenant) {
          throw new ApiError('auth_wrong_tenant', undefined, { keyId: principal.keyId });
        }
        tenant = principal.tenant;
      } else {
        tenant = body.tenantId ?? null;
      }
      for (const type of body.events ?? []) {
        if (!services.hub.catalogue.has(type)) {
          throw new ApiError('invalid_request', `body.events: unknown event type ${type}`, {
            field: 'body.events',
          });
        }
      }
      const hook = await services.webhooks.create({
        tenant,
        url: body.url,
        events: body.events ?? null,
      });
      return c.json({ ...view(hook), secret: hook.secret }, 201);
    },
  });

  api.register({
    method: 'get',
    path: '/api/webhooks',
    operationId: 'listWebhooks',
    summary: 'List webhook subscriptions',
    tags: TAG,
    access: 'any',
    responses: {
      200: {
        description: 'The subscriptions.',
        schema: z.object({ webhooks: z.array(webhookView) }),
      },
    },
    handler: async ({ c, principal }) => {
      await services.webhooks.refresh();
      const hooks = services.webhooks.list(
        principal.kind === 'tenant' ? principal.tenant : undefined,
      );
      return c.json({ webhooks: hooks.map(view) });
    },
  });

  api.register({
    method: 'delete',
    path: '/api/webhooks/{webhookId}',
    operationId: 'deleteWebhook',
    summary: 'Delete a webhook subscription (and its queued deliveries)',
    tags: TAG,
    access: 'any',
    params: webhookParams,
    responses: {
      200: { description: 'Deleted.', schema: z.object({ id: z.string(), deleted: z.boolean() }) },
    },
    handler: async ({ c, params, principal }) => {
      owned(principal, params.webhookId);
      const deleted = await services.webhooks.delete(params.webhookId);
      return c.json({ id: params.webhookId, deleted });
    },
  });

  api.register({
    method: 'get',
    path: '/api/webhooks/{webhookId}/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'Deliveries that failed every attempt',
    tags: TAG,
    access: 'any',
    params: webhookParams,
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    responses: {
      200: {
        description: 'Newest first.',
        schema: z.object({
          deadLetters: z.array(
            z.object({
              id: z.number(),
              webhookId: z.string(),
              event: z.object({
                id: z.number(),
                type: z.string(),
                tenantId: z.string().nullable(),
                at: z.number(),
                data: z.unknown(),
              }),
              attempts: z.number(),
              lastStatus: z.number().nullable(),
              lastError: z.string().nullable(),
              createdAt: z.number(),
            }),
          ),
        }),
      },
    },
    handler: async ({ c, params, query, principal }) => {
      owned(principal, params.webhookId);
      const letters = await services.records.listDeadLetters(params.webhookId, query.limit);
      return c.json({
        deadLetters: letters.map((l) => ({
          id: l.id,
          webhookId: l.webhookId,
          event: {
            id: l.event.id,
            type: l.event.type,
            tenantId: l.event.tenant,
            at: l.event.at,
            data: l.event.data,
          },
          attempts: l.attempts,
          lastStatus: l.lastStatus,
          lastError: l.lastError,
          createdAt: l.createdAt,
        })),
      });
    },
  });

  api.register({
    method: 'post',
    path: '/api/webhooks/{webhookId}/dead-letters/{deadLetterId}/redeliver',
    operationId: 'redeliverDeadLetter',
    summary: 'Queue a dead letter for delivery again',
    tags: TAG,
    access: 'any',
    params: webhookParams.extend({ deadLetterId: z.coerce.number().int().min(1) }),
    responses: {
      202: {
        description: 'Queued.',
        schema: z.object({ id: z.number(), queued: z.boolean() }),
      },
    },
    handler: async ({ c, params, principal }) => {
      owned(principal, params.webhookId);
      const queued = await services.records.redeliverDeadLetter(
        params.webhookId,
        params.deadLetterId,
        Date.now(),
      );
      if (!queued) {
        throw new ApiError('dead_letter_not_found', undefined, {
          deadLetterId: params.deadLetterId,
        });
      }
      services.deliveries.wake();
      return c.json({ id: params.deadLetterId, queued }, 202);
    },
  });
}
