import { z } from 'zod';
import type { EgressPolicy } from '@pasarela/shared';
import { SessionError } from '../../session/index.js';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../registry.js';
import { policy, sessionStatus, sessionView, tenantId, tenantParams } from '../schemas.js';
import type { ApiServices } from '../services.js';
import { sessionBody, sessionOf } from '../session-view.js';

const TAG = ['sessions'];
const BASE = '/api/baileys/sessions';

/** Session routes: list, create, status, lifecycle, QR, pairing code, policy. */
export function registerSessionRoutes(api: RouteRegistry, services: ApiServices): void {
  const one = async (tenant: string) => {
    const found = await sessionOf(services, tenant);
    if (!found.known) throw new ApiError('tenant_not_found', undefined, { tenantId: tenant });
    return sessionBody(services, tenant, found.view, found.summary);
  };
  const lifecycle = (
    name: string,
    summary: string,
    run: (tenant: string) => Promise<unknown>,
    requireKnown = true,
  ) =>
    api.register({
      method: 'post',
      path: `${BASE}/{tenantId}/${name}`,
      operationId: `${name}Session`,
      summary,
      tags: TAG,
      access: 'tenant',
      params: tenantParams,
      responses: { 200: { description: 'The session after the change.', schema: sessionView } },
      handler: async ({ c, params }) => {
        if (requireKnown) await one(params.tenantId);
        await run(params.tenantId);
        return c.json(await one(params.tenantId));
      },
    });

  api.register({
    method: 'get',
    path: BASE,
    operationId: 'listSessions',
    summary: 'List sessions',
    description:
      'Every tenant the worker knows, with status, phone number, last seen, tunnel fields and ' +
      'egress policy. A tenant key sees its own tenant only.',
    tags: TAG,
    access: 'any',
    query: z.object({ status: sessionStatus.optional().describe('Only sessions in this status.') }),
    responses: {
      200: {
        description: 'The sessions, by tenant id.',
        schema: z.object({ sessions: z.array(sessionView) }),
      },
    },
    handler: async ({ c, query, principal }) => {
      const summaries = await services.store.list();
      const views = new Map(services.manager.list().map((v) => [v.tenant, v]));
      const byTenant = new Map(summaries.map((s) => [s.tenant, s]));
      let tenants = [...new Set([...byTenant.keys(), ...views.keys()])].sort();
      if (principal.kind === 'tenant') tenants = tenants.filter((t) => t === principal.tenant);
      const sessions = tenants
        .map((t) => sessionBody(services, t, views.get(t), byTenant.get(t)))
        .filter((s) => query.status === undefined || s.status === query.status);
      return c.json({ sessions });
    },
  });

  api.register({
    method: 'post',
    path: BASE,
    operationId: 'createSession',
    summary: 'Create and start a session',
    description:
      'Creates the tenant if it is new and starts its session: a login when paired, else a QR. ' +
      'Sets its egress policy when given.',
    tags: TAG,
    access: 'admin',
    body: z.strictObject({
      tenantId,
      policy: policy.optional().describe('Egress policy; the worker default when absent.'),
    }),
    responses: { 201: { description: 'The session.', schema: sessionView } },
    handler: async ({ c, body }) => {
      if (body.policy) {
        await services.policies.set(body.tenantId, body.policy as EgressPolicy, services.manager);
      }
      await services.manager.start(body.tenantId);
      return c.json(await one(body.tenantId), 201);
    },
  });

  api.register({
    method: 'get',
    path: `${BASE}/{tenantId}`,
    operationId: 'getSession',
    summary: "A tenant's session",
    tags: TAG,
    access: 'tenant',
    params: tenantParams,
    responses: { 200: { description: 'The session.', schema: sessionView } },
    handler: async ({ c, params }) => c.json(await one(params.tenantId)),
  });

  lifecycle('start', 'Start a session', (t) => services.manager.start(t), false);
  lifecycle('stop', 'Stop a session (it stays stopped until started)', (t) =>
    services.manager.stop(t),
  );
  lifecycle('restart', 'Restart a session with its saved creds', (t) =>
    services.manager.restart(t),
  );
  lifecycle('logout', 'Log the device out and clear its creds', (t) => services.manager.logout(t));

  api.register({
    method: 'delete',
    path: `${BASE}/{tenantId}`,
    operationId: 'deleteSession',
    summary: 'Delete a session and its auth state',
    description: "The tenant's API keys and webhooks stay; its settings and received messages go.",
    tags: TAG,
    access: 'admin',
    params: tenantParams,
    responses: {
      200: {
        description: 'Deleted.',
        schema: z.object({ tenantId: z.string(), deleted: z.boolean() }),
      },
    },
    handler: async ({ c, params }) => {
      const deleted = await services.manager.delete(params.tenantId);
      await services.records.forgetTenant(params.tenantId);
      services.policies.forget(params.tenantId);
      services.bridge.forget(params.tenantId);
      if (!deleted)
        throw new ApiError('tenant_not_found', undefined, { tenantId: params.tenantId });
      return c.json({ tenantId: params.tenantId, deleted });
    },
  });

  api.register({
    method: 'get',
    path: `${BASE}/{tenantId}/qr`,
    operationId: 'getQr',
    summary: 'The pairing QR shown now',
    description:
      'The string to render as a QR code (or use the PNG route). It carries the pairing secret ' +
      'of this device: show it to the restaurant, never log it. `no_qr` when none is shown.',
    tags: TAG,
    access: 'tenant',
    params: tenantParams,
    responses: {
      200: {
        description: 'The QR.',
        schema: z.object({ tenantId: z.string(), qr: z.string(), at: z.number() }),
      },
    },
    handler: async ({ c, params }) => {
      const shown = services.manager.qr(params.tenantId);
      if (!shown) {
        throw new SessionError('no_qr', `tenant ${params.tenantId}`, { tenant: params.tenantId });
      }
      c.header('cache-control', 'no-store');
      return c.json({ tenantId: params.tenantId, qr: shown.qr, at: shown.at });
    },
  });

  api.register({
    method: 'get',
    path: `${BASE}/{tenantId}/qr.png`,
    operationId: 'getQrPng',
    summary: 'The pairing QR shown now, as a PNG',
    tags: TAG,
    access: 'tenant',
    params: tenantParams,
    query: z.object({
      scale: z.coerce.number().int().min(1).max(20).optional().describe('Pixels per module.'),
      margin: z.coerce.number().int().min(0).max(10).optional().describe('Quiet zone, in modules.'),
    }),
    responses: { 200: { description: 'The QR image.', contentType: 'image/png' } },
    handler: async ({ params, query }) => {
      const png = await services.manager.qrPng(params.tenantId, {
        ...(query.scale ? { scale: query.scale } : {}),
        ...(query.margin !== undefined ? { margin: query.margin } : {}),
      });
      return new Response(new Uint8Array(png), {
        headers: { 'content-type': 'image/png', 'cache-control': 'no-store' },
      });
    },
  });

  api.register({
    method: 'post',
    path: `${BASE}/{tenantId}/pairing-code`,
    operationId: 'requestPairingCode',
    summary: 'Pair by phone number: get the code to type on the phone',
    tags: TAG,
    access: 'tenant',
    params: tenantParams,
    body: z.strictObject({
      phoneNumber: z.string().min(7).max(20).describe('International form, e.g. +34600000000.'),
    }),
    responses: {
      200: {
        description: 'The 8-character code.',
        schema: z.object({ tenantId: z.string(), code: z.string() }),
      },
    },
    handler: async ({ c, params, body }) => {
      const code = await services.manager.requestPairingCode(params.tenantId, body.phoneNumber);
      c.header('cache-control', 'no-store');
      return c.json({ tenantId: params.tenantId, code });
    },
  });

  api.register({
    method: 'put',
    path: `${BASE}/{tenantId}/policy`,
    operationId: 'setPolicy',
    summary: "Change the tenant's egress policy",
    description:
      '`direct`, `prefer-tunnel` or `tunnel-only`; applies to the running session at once ' +
      '(switching to `tunnel-only` ends its direct connections).',
    tags: TAG,
    access: 'tenant',
    params: tenantParams,
    body: z.strictObject({ policy }),
    responses: { 200: { description: 'The session after the change.', schema: sessionView } },
    handler: async ({ c, params, body }) => {
      await one(params.tenantId);
      await services.policies.set(params.tenantId, body.policy as EgressPolicy, services.manager);
      return c.json(await one(params.tenantId));
    },
  });
}
