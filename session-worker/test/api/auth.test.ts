import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../../src/api/registry.js';
import type { ApiClient } from './support/client.js';
import { startTestService, type TestService } from './support/service.js';

const OWNER = 'pizzeria-roma';
const OTHER = 'sushi-kyoto';

let worker: TestService;
let owner: ApiClient;
let other: ApiClient;
let webhookId: string;

beforeAll(async () => {
  worker = await startTestService(null, { env: { PASARELA_URL_ALLOWLIST: '127.0.0.1' } });
  const mint = async (tenant: string) =>
    worker.admin.as(
      (await worker.admin.post<{ key: string }>(`/api/tenants/${tenant}/keys`, {})).body.key,
    );
  owner = await mint(OWNER);
  other = await mint(OTHER);
  const hook = await owner.post<{ id: string }>('/api/webhooks', {
    url: 'https://127.0.0.1:9/hooks/pasarela',
  });
  expect(hook.status).toBe(201);
  webhookId = hook.body.id;
});

afterAll(async () => {
  await worker?.close();
});

/** The route's path with every parameter filled: the owner's tenant, the owner's webhook. */
function pathOf(route: RouteSpec): string {
  const values: Record<string, string> = {
    tenantId: OWNER,
    webhookId,
    deadLetterId: '1',
    idempotencyKey: 'order-1',
    messageId: '3EB0000000000000000000',
    keyId: 'psk_aaaaaaaaaaaa',
  };
  return route.path.replace(/\{([A-Za-z]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no test value for path parameter ${name}`);
    return value;
  });
}

/**
 * What a key of another tenant gets on each route that names no tenant in
 * its path (`any` access). Every such route must be listed: a new one fails
 * here until someone decides.
 */
const OTHER_TENANT_ON_ANY: Record<string, { query?: string; body?: unknown; code?: string }> = {
  listSessions: {},
  streamEvents: { query: `?tenantId=${OWNER}`, code: 'auth_wrong_tenant' },
  listEventTypes: {},
  createWebhook: {
    body: { url: 'https://127.0.0.1:9/x', tenantId: OWNER },
    code: 'auth_wrong_tenant',
  },
  listWebhooks: {},
  deleteWebhook: { code: 'auth_wrong_tenant' },
  listDeadLetters: { code: 'auth_wrong_tenant' },
  redeliverDeadLetter: { code: 'auth_wrong_tenant' },
  createTunnelToken: { body: { tenantId: OWNER, role: 'peer' }, code: 'auth_wrong_tenant' },
};

const call = (
  client: ApiClient,
  route: RouteSpec,
  key?: string | null,
  query = '',
  body?: unknown,
) =>
  client.call(route.method.toUpperCase(), `${pathOf(route)}${query}`, {
    ...(key === undefined ? {} : { key }),
    ...(route.method === 'get' || route.method === 'delete' ? {} : { body: body ?? {} }),
  });

describe('every route checks the key it is called with', () => {
  const routes = () => worker.service.api.registry.routes.filter((r) => r.access !== 'public');

  it('has routes to check', () => {
    expect(routes().length).toBeGreaterThan(25);
  });

  it('refuses a call without a key with auth_missing', async () => {
    for (const route of routes()) {
      const answer = await call(worker.admin, route, null);
      expect([route.operationId, answer.status, answer.body]).toEqual([
        route.operationId,
        401,
        expect.objectContaining({ error: expect.objectContaining({ code: 'auth_missing' }) }),
      ]);
    }
  });

  it('refuses an unknown key, a revoked one and a malformed one with auth_invalid', async () => {
    const revoked = await worker.admin.post<{ id: string; key: string }>(
      `/api/tenants/${OWNER}/keys`,
      { label: 'to revoke' },
    );
    await worker.admin.call('DELETE', `/api/tenants/${OWNER}/keys/${revoked.body.id}`);
    const keys = [
      'psk_abcdefghijkl_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      revoked.body.key,
      'not-a-key',
    ];
    for (const route of routes()) {
      for (const key of keys) {
        const answer = await call(worker.admin, route, key);
        expect([route.operationId, answer.status, answer.body]).toEqual([
          route.operationId,
          401,
          expect.objectContaining({ error: expect.objectContaining({ code: 'auth_invalid' }) }),
        ]);
      }
    }
  });

  it("refuses another tenant's key on every route of a tenant's own", async () => {
    const checked: string[] = [];
    for (const route of routes()) {
      let expected: string | undefined;
      let query = '';
      let body: unknown;
      if (route.access === 'tenant') expected = 'auth_wrong_tenant';
      else if (route.access === 'admin') expected = 'admin_required';
      else if (route.access === 'metrics') expected = 'auth_invalid';
      else {
        const rule = OTHER_TENANT_ON_ANY[route.operationId];
        expect(rule, `a rule for ${route.operationId}`).toBeDefined();
        expected = rule!.code;
        query = rule!.query ?? '';
        body = rule!.body;
      }
      if (expected === undefined) continue;
      const answer = await call(other, route, undefined, query, body);
      expect([route.operationId, answer.body]).toEqual([
        route.operationId,
        expect.objectContaining({ error: expect.objectContaining({ code: expected }) }),
      ]);
      expect(answer.status).toBe(expected === 'auth_invalid' ? 401 : 403);
      checked.push(route.operationId);
    }
    expect(checked).toContain('sendText');
    expect(checked).toContain('getQr');
    expect(checked).toContain('streamEvents');
  });

  it("shows a tenant key only its own tenant's sessions and webhooks", async () => {
    await worker.admin.post('/api/baileys/sessions', { tenantId: OWNER });
    const sessions = await other.get<{ sessions: { tenantId: string }[] }>('/api/baileys/sessions');
    const hooks = await other.get<{ webhooks: unknown[] }>('/api/webhooks');
    expect(sessions.body.sessions).toEqual([]);
    expect(hooks.body.webhooks).toEqual([]);
    const own = await owner.get<{ sessions: { tenantId: string }[] }>('/api/baileys/sessions');
    expect(own.body.sessions.map((s) => s.tenantId)).toEqual([OWNER]);
  });

  it('answers health, readiness and the OpenAPI document without a key', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      expect((await worker.admin.get(path, { key: null })).status).toBe(200);
    }
  });

  it('takes the key as X-Api-Key as well as a bearer token', async () => {
    const answer = await worker.admin.get(`/api/baileys/sessions/${OWNER}`, {
      key: null,
      headers: { 'x-api-key': owner.key as string },
    });
    expect(answer.status).toBe(200);
  });
});
