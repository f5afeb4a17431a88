import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { verifyToken } from '@pasarela/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from './support/client.js';
import { startTestService, type TestService } from './support/service.js';

/**
 * The tunnel's routes on a worker whose room is a closed port: minting
 * needs no room, and nothing here starts a tenant. The process test
 * (`test/tunnel/worker-process.test.ts`) runs them against a real room.
 */
const OWNER = 'tokens-roma';
const OTHER = 'tokens-kyoto';
const SECRET = 'room-token-secret-for-tests-0123456789';
const KEYS = { signingKeyId: 'r1', keys: { r1: SECRET } };

let worker: TestService;
let owner: ApiClient;
let other: ApiClient;

beforeAll(async () => {
  worker = await startTestService(null, {
    env: {
      PASARELA_ROOM_URL: 'ws://127.0.0.1:1',
      TOKEN_KEYS: JSON.stringify(KEYS.keys),
      // The test sessions' keepalive is 2 s: the silence threshold must sit within 2 to 7 s.
      PASARELA_TUNNEL_SETTINGS: '{"routes":{"upstreamSilenceMs":5000}}',
    },
  });
  const mint = async (tenant: string) =>
    worker.admin.as(
      (await worker.admin.post<{ key: string }>(`/api/tenants/${tenant}/keys`, {})).body.key,
    );
  owner = await mint(OWNER);
  other = await mint(OTHER);
});

afterAll(async () => {
  await worker?.close();
});

const TUNNEL_TYPES = [
  'tunnel.connected',
  'tunnel.disconnected',
  'tunnel.unhealthy',
  'route.changed',
  'tunnel.leak',
];

type Minted = { token: string; expiresAt: number };
type Refusal = { error: { code: string; context: Record<string, unknown> } };

describe('POST /api/tunnel/tokens', () => {
  it("mints a peer token of the tenant's own with its key, not to be cached", async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await owner.post<Minted>('/api/tunnel/tokens', {
      tenantId: OWNER,
      role: 'peer',
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const claims = await verifyToken(answer.body.token, KEYS, { tenant: OWNER, roles: ['peer'] });
    expect(claims).toMatchObject({ tenant: OWNER, role: 'peer', keyId: 'r1' });
    expect(answer.body.expiresAt).toBe(claims.expiresAt);
    expect(claims.expiresAt - claims.issuedAt).toBe(600);
    expect(claims.issuedAt).toBeGreaterThanOrEqual(before);
  });

  it('gives a token the lifetime asked for, within the maximum', async () => {
    const answer = await owner.post<Minted>('/api/tunnel/tokens', {
      tenantId: OWNER,
      role: 'peer',
      ttlSeconds: 60,
    });
    const claims = await verifyToken(answer.body.token, KEYS, { tenant: OWNER, roles: ['peer'] });
    expect(claims.expiresAt - claims.issuedAt).toBe(60);
    for (const ttlSeconds of [0, 3_601]) {
      const refused = await owner.post<Refusal>('/api/tunnel/tokens', {
        tenantId: OWNER,
        role: 'peer',
        ttlSeconds,
      });
      expect([ttlSeconds, refused.status, refused.body.error.code]).toEqual([
        ttlSeconds,
        400,
        'invalid_ttl',
      ]);
    }
  });

  it(
    "refuses another tenant's key, a missing key " + 'and a tenant key asking for an admin token',
    async () => {
      const cases: [ApiClient, string | null | undefined, object, number, string][] = [
        [other, undefined, { tenantId: OWNER, role: 'peer' }, 403, 'auth_wrong_tenant'],
        [owner, null, { tenantId: OWNER, role: 'peer' }, 401, 'auth_missing'],
        [owner, undefined, { tenantId: OWNER, role: 'admin' }, 403, 'admin_required'],
        [owner, undefined, { role: 'admin' }, 403, 'admin_required'],
      ];
      for (const [client, key, body, status, code] of cases) {
        const answer = await client.post<Refusal>('/api/tunnel/tokens', body, {
          ...(key === undefined ? {} : { key }),
        });
        expect([body, answer.status, answer.body.error.code]).toEqual([body, status, code]);
      }
    },
  );

  it('mints an admin token for every tenant, or one, with the admin key', async () => {
    const all = await worker.admin.post<Minted>('/api/tunnel/tokens', { role: 'admin' });
    expect(await verifyToken(all.body.token, KEYS, { roles: ['admin'] })).toMatchObject({
      tenant: '*',
      role: 'admin',
    });
    const one = await worker.admin.post<Minted>('/api/tunnel/tokens', {
      role: 'admin',
      tenantId: OWNER,
    });
    const claims = await verifyToken(one.body.token, KEYS, { roles: ['admin'] });
    expect([claims.tenant, claims.expiresAt - claims.issuedAt]).toEqual([OWNER, 900]);
    const peer = await worker.admin.post<Minted>('/api/tunnel/tokens', {
      role: 'peer',
      tenantId: OTHER,
    });
    expect((await verifyToken(peer.body.token, KEYS, { roles: ['peer'] })).tenant).toBe(OTHER);
  });

  it(
    'refuses a tenant id that is no tenant, and ' + 'a peer token without one, naming the field',
    async () => {
      const bad = await worker.admin.post<Refusal>('/api/tunnel/tokens', {
        role: 'peer',
        tenantId: 'Not A Tenant',
      });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_tenant']);
      const missing = await worker.admin.post<Refusal>('/api/tunnel/tokens', { role: 'peer' });
      expect([missing.status, missing.body.error]).toEqual([
        400,
        expect.objectContaining({ code: 'invalid_request', context: { field: 'body.tenantId' } }),
      ]);
      const role = await worker.admin.post<Refusal>('/api/tunnel/tokens', { role: 'worker' });
      expect(role.body.error.context).toEqual({ field: 'body.role' });
    },
  );

  it('never writes a minted token into the log', async () => {
    const answer = await owner.post<Minted>('/api/tunnel/tokens', {
      tenantId: OWNER,
      role: 'peer',
    });
    const minted = worker.logs.lines.filter((line) => line['msg'] === 'room token minted');
    expect(minted.length).toBeGreaterThan(0);
    expect(minted.at(-1)).toMatchObject({ tenant: OWNER, role: 'peer' });
    expect(worker.logs.text.join('\n')).not.toContain(answer.body.token);
    expect(worker.logs.text.join('\n')).not.toContain(SECRET);
  });
});

describe('GET /api/tunnel/stats/{tenantId}', () => {
  it('answers tunnel_not_found for a tenant that never ran here', async () => {
    const answer = await owner.get<Refusal>(`/api/tunnel/stats/${OWNER}`);
    expect([answer.status, answer.body.error]).toEqual([
      404,
      expect.objectContaining({ code: 'tunnel_not_found', context: { tenantId: OWNER } }),
    ]);
  });
});

describe('the tunnel events', () => {
  it('are in the catalogue', async () => {
    const answer = await worker.admin.get<{ types: { type: string }[] }>('/api/events/types');
    expect(answer.body.types.map((t) => t.type)).toEqual(expect.arrayContaining(TUNNEL_TYPES));
  });
});

describe('the example alert rules (ops/alerts.yml)', () => {
  const text = readFileSync(
    fileURLToPath(new URL('../../ops/alerts.yml', import.meta.url)),
    'utf8',
  );

  it('name only metrics the worker exports', () => {
    const named = new Set(text.match(/\bpasarela_[a-z0-9_]+\b/g));
    expect([...named].sort()).toEqual([
      'pasarela_egress_leaks_total',
      'pasarela_tunnel_peer',
      'pasarela_tunnel_request_failures_total',
      'pasarela_tunnel_room_link_up',
      'pasarela_tunnel_route',
    ]);
    const exported = new Set(
      worker.service.metrics.registry.getMetricsAsArray().map((metric) => metric.name),
    );
    expect([...named].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('give every alert a severity and a summary', () => {
    const alerts = [...text.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    expect(alerts).toEqual([
      'PasarelaTunnelUnhealthy',
      'PasarelaTunnelLeak',
      'PasarelaTenantLongOnDirect',
      'PasarelaTunnelOnlyWaiting',
      'PasarelaRoomUnreachable',
      'PasarelaTunnelFailures',
    ]);
    expect(text.match(/severity: (warning|critical)/g)).toHaveLength(alerts.length);
    expect(text.match(/summary: /g)).toHaveLength(alerts.length);
  });
});
