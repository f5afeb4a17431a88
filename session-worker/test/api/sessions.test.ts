import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, type ApiClient } from './support/client.js';
import { PAIR_MS, pairThroughApi } from './support/pair.js';
import { startTestService, type TestService } from './support/service.js';
import { startStandinProcess, type StandinProcess } from './support/standin-process.js';

const BASE = '/api/baileys/sessions';

let standin: StandinProcess;
let worker: TestService;

beforeAll(async () => {
  standin = await startStandinProcess();
  worker = await startTestService(standin, {
    env: { PASARELA_METRICS_TOKEN: 'metrics-token-0123456789' },
  });
});

afterAll(async () => {
  await worker?.close();
  await standin?.close();
});

async function statusOf(client: ApiClient, tenant: string): Promise<Record<string, unknown>> {
  return (await client.get(`${BASE}/${tenant}`)).body;
}

async function reach(client: ApiClient, tenant: string, status: string) {
  const until = Date.now() + PAIR_MS;
  for (;;) {
    const body = await statusOf(client, tenant);
    if (body['status'] === status) return body;
    if (Date.now() > until)
      throw new Error(`${tenant} not ${status} within ${PAIR_MS} ms: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('session routes', () => {
  it('pair by phone number: the code from the API, typed on the simulated phone', async () => {
    const key = await worker.admin.post<{ key: string }>('/api/tenants/mesa-codigo/keys', {});
    const tenant = worker.admin.as(key.body.key);
    await worker.admin.post(BASE, { tenantId: 'mesa-codigo' });
    const answer = await tenant.post<{ code: string }>(`${BASE}/mesa-codigo/pairing-code`, {
      phoneNumber: '+1 555 010 7301',
    });
    expect(answer.status).toBe(200);
    expect(answer.body.code).toMatch(/^[A-Z0-9]{8}$/);
    await standin.control.enterLinkCode('15550107301', answer.body.code);
    const connected = await reach(tenant, 'mesa-codigo', 'connected');
    expect(connected['phoneNumber']).toBe('15550107301');
    const account = await standin.control.account('15550107301');
    expect(account.registrations.map((r) => r.method)).toEqual(['code']);
  });

  it('change the egress policy of a running session, kept across reads', async () => {
    const tenant = await pairThroughApi(worker, standin, 'mesa-politica', '15550107302');
    const changed = await tenant.call('PUT', `${BASE}/mesa-politica/policy`, {
      body: { policy: 'prefer-tunnel' },
    });
    expect(changed.body).toMatchObject({ egressPolicy: 'prefer-tunnel', status: 'connected' });
    expect(worker.service.worker.manager.egress('mesa-politica')?.policy).toBe('prefer-tunnel');
    expect(await worker.service.records.listTenantSettings()).toContainEqual(
      expect.objectContaining({ tenant: 'mesa-politica', policy: 'prefer-tunnel' }),
    );
    const refused = await tenant.call('PUT', `${BASE}/mesa-politica/policy`, {
      body: { policy: 'sometimes' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: { code: 'invalid_request', context: { field: 'body.policy' } },
    });
  });

  it('restart, stop and start a paired session without a new QR', async () => {
    const tenant = await pairThroughApi(worker, standin, 'mesa-ciclo', '15550107303');
    const restarted = await tenant.post(`${BASE}/mesa-ciclo/restart`);
    expect(restarted.status).toBe(200);
    await reach(tenant, 'mesa-ciclo', 'connected');
    expect((await tenant.post(`${BASE}/mesa-ciclo/stop`)).body).toMatchObject({
      status: 'stopped',
    });
    await tenant.post(`${BASE}/mesa-ciclo/start`);
    await reach(tenant, 'mesa-ciclo', 'connected');
    const account = await standin.control.account('15550107303');
    expect(account.registrations).toHaveLength(1);
    expect(account.logins.filter((l) => l.result === 'success')).toHaveLength(3);
  });

  it('import an auth folder: a tenant paired elsewhere moves over without a scan', async () => {
    const source = await pairThroughApi(worker, standin, 'mesa-origen', '15550107304');
    await source.post(`${BASE}/mesa-origen/stop`);
    const files = authFolderOf('mesa-origen');
    expect(Object.keys(files)).toContain('creds.json');
    const imported = await worker.admin.post(`${BASE}/mesa-destino/import`, { files });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({
      tenantId: 'mesa-destino',
      account: expect.stringMatching(/^15550107304:\d+@s\.whatsapp\.net$/),
    });
    const key = await worker.admin.post<{ key: string }>('/api/tenants/mesa-destino/keys', {});
    const destination = worker.admin.as(key.body.key);
    await reach(destination, 'mesa-destino', 'connected');
    const account = await standin.control.account('15550107304');
    expect(account.registrations).toHaveLength(1);
    report(
      `imported ${Object.keys(files).length} files; ` +
        `logins at the stand-in: ${account.logins.length}`,
    );
  });

  it('refuses an import that is not an auth folder, naming the field', async () => {
    const answers = await Promise.all([
      worker.admin.post(`${BASE}/mesa-x/import`, { files: { '../creds.json': '{}' } }),
      worker.admin.post(`${BASE}/mesa-x/import`, { files: { 'pre-key-1.json': '{}' } }),
      worker.admin.post(`${BASE}/mesa-x/import`, { files: { 'creds.json': '{"noiseKey":1}' } }),
    ]);
    expect(answers.map((a) => [a.status, (a.body['error'] as { code: string }).code])).toEqual([
      [400, 'invalid_request'],
      [400, 'invalid_request'],
      [422, 'import_invalid_creds'],
    ]);
    expect(answers[0]!.body).toMatchObject({
      error: { context: { field: 'body.files.../creds.json' } },
    });
  });

  it('log a session out, then delete it', async () => {
    const tenant = await pairThroughApi(worker, standin, 'mesa-salida', '15550107305');
    const out = await tenant.post(`${BASE}/mesa-salida/logout`);
    expect(out.body).toMatchObject({ status: 'logged_out', phoneNumber: null });
    const deleted = await worker.admin.call('DELETE', `${BASE}/mesa-salida`);
    expect(deleted.body).toEqual({ tenantId: 'mesa-salida', deleted: true });
    const gone = await tenant.get(`${BASE}/mesa-salida`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: { code: 'tenant_not_found' } });
  });

  it('lists sessions filtered by status', async () => {
    const list = await worker.admin.get<{ sessions: { tenantId: string; status: string }[] }>(
      `${BASE}?status=connected`,
    );
    expect(list.body.sessions.map((s) => s.tenantId)).toEqual(
      expect.arrayContaining(['mesa-codigo', 'mesa-politica', 'mesa-ciclo', 'mesa-destino']),
    );
    expect(new Set(list.body.sessions.map((s) => s.status))).toEqual(new Set(['connected']));
  });
});

describe('request checks', () => {
  it.each([
    ['a field of the wrong type', { to: 12, text: 'x' }, 'body.to'],
    ['a missing field', { to: '+15550100001' }, 'body.text'],
    ['an unknown field', { to: '+15550100001', text: 'x', priority: 'high' }, 'body.priority'],
  ])('name %s', async (_, body, field) => {
    const answer = await worker.admin.post(`${BASE}/mesa-codigo/messages/text`, body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { code: 'invalid_request', context: { field } } });
  });

  it('refuse a body that is not JSON, one of another type, and one past the limit', async () => {
    const path = `${BASE}/mesa-codigo/messages/text`;
    const notJson = await worker.admin.post(path, '{"to":', {});
    const form = await worker.admin.post(path, 'to=1', {
      headers: { 'content-type': 'text/plain' },
    });
    const huge = await worker.admin.post(path, {
      to: '+15550100001',
      text: 'x'.repeat(worker.settings.api.maxBodyBytes),
    });
    expect([notJson.status, form.status, huge.status]).toEqual([400, 415, 413]);
    expect(huge.body).toMatchObject({ error: { code: 'body_too_large' } });
  });

  it('answer an unknown route with not_found', async () => {
    const answer = await worker.admin.get('/api/nothing-here');
    expect(answer).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});

describe('operations', () => {
  it('exposes metrics to the admin key and the metrics token only', async () => {
    const token = await worker.admin.get('/metrics', { key: 'metrics-token-0123456789' });
    expect(token.status).toBe(200);
    const text = token.bytes.toString('utf8');
    expect(text).toMatch(/pasarela_sessions\{status="connected"\} [4-9]/);
    expect(text).toContain(
      'pasarela_http_requests_total{method="POST",route="/api/baileys/sessions",status="201"}',
    );
    expect(text).toContain('pasarela_session_transitions_total{to="connected",reason="opened"}');
    expect(text).toMatch(
      /pasarela_egress_connections_total\{tenant="mesa-codigo",route="direct"\} [1-9]/,
    );
    expect(text).toContain('pasarela_process_resident_memory_bytes');
    const tenantKey = await worker.admin.post<{ key: string }>('/api/tenants/mesa-codigo/keys', {});
    expect((await worker.admin.get('/metrics', { key: tenantKey.body.key })).status).toBe(401);
  });

  it('answers health and readiness', async () => {
    expect((await worker.admin.get('/healthz', { key: null })).body).toMatchObject({
      status: 'ok',
    });
    const ready = await worker.admin.get('/readyz', { key: null });
    expect(ready.body).toMatchObject({
      ready: true,
      checks: { store: { ok: true }, sessions: { ok: true } },
    });
  });
});

/** A Baileys multi-file auth folder of a stopped tenant, written from the worker's own store. */
function authFolderOf(tenant: string): Record<string, string> {
  const database = worker.service.worker.database;
  if (database.kind !== 'sqlite') throw new Error('the test reads the SQLite store');
  const db = database.file.db;
  const creds = db.prepare('SELECT creds FROM auth_tenants WHERE tenant_id = ?').get(tenant) as {
    creds: string;
  };
  const files: Record<string, string> = { 'creds.json': creds.creds };
  const keys = db
    .prepare('SELECT type, id, value FROM auth_keys WHERE tenant_id = ?')
    .all(tenant) as { type: string; id: string; value: string }[];
  for (const key of keys) {
    // Baileys' own file naming: `/` becomes `__`, `:` becomes `-`.
    files[`${key.type}-${key.id.replaceAll('/', '__').replaceAll(':', '-')}.json`] = key.value;
  }
  return files;
}
