import { z } from 'zod';
import type { ApiKeyRecord } from '../../records/index.js';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../registry.js';
import { tenantId } from '../schemas.js';
import type { ApiServices } from '../services.js';

const TAG = ['keys'];
const keyView = z.object({
  id: z.string().describe('The public part of the key; safe to show and log.'),
  tenantId: z.string(),
  label: z.string().nullable(),
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
});
const view = (r: ApiKeyRecord) => ({
  id: r.id,
  tenantId: r.tenant,
  label: r.label,
  createdAt: r.createdAt,
  revokedAt: r.revokedAt,
});

/** Tenant API keys, managed with the admin key; only their hashes are stored. */
export function registerKeyRoutes(api: RouteRegistry, services: ApiServices): void {
  api.register({
    method: 'post',
    path: '/api/tenants/{tenantId}/keys',
    operationId: 'createTenantKey',
    summary: 'Mint an API key for a tenant',
    description:
      "The restaurant's own backend uses it for its tenant's routes. The key is shown only in " +
      'this answer; the worker keeps its SHA-256.',
    tags: TAG,
    access: 'admin',
    params: z.object({ tenantId }),
    body: z.strictObject({ label: z.string().max(200).optional() }),
    responses: { 201: { description: 'The key.', schema: keyView.extend({ key: z.string() }) } },
    handler: async ({ c, params, body }) => {
      const minted = await services.keys.mint(params.tenantId, body.label ?? null);
      c.header('cache-control', 'no-store');
      return c.json({ ...view(minted.record), key: minted.key }, 201);
    },
  });

  api.register({
    method: 'get',
    path: '/api/tenants/{tenantId}/keys',
    operationId: 'listTenantKeys',
    summary: "A tenant's API keys (never the secrets)",
    tags: TAG,
    access: 'admin',
    params: z.object({ tenantId }),
    responses: { 200: { description: 'The keys.', schema: z.object({ keys: z.array(keyView) }) } },
    handler: async ({ c, params }) =>
      c.json({ keys: (await services.keys.list(params.tenantId)).map(view) }),
  });

  api.register({
    method: 'delete',
    path: '/api/tenants/{tenantId}/keys/{keyId}',
    operationId: 'revokeTenantKey',
    summary: 'Revoke a tenant API key',
    tags: TAG,
    access: 'admin',
    params: z.object({ tenantId, keyId: z.string().regex(/^psk_[a-z2-7]{12}$/) }),
    responses: {
      200: { description: 'Revoked.', schema: z.object({ id: z.string(), revoked: z.boolean() }) },
    },
    handler: async ({ c, params }) => {
      const revoked = await services.keys.revoke(params.tenantId, params.keyId);
      if (!revoked) throw new ApiError('key_not_found', undefined, { keyId: params.keyId });
      return c.json({ id: params.keyId, revoked });
    },
  });
}
