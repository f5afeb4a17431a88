import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/events/webhooks/signature.js';
import { createTestCa } from '../support/test-ca.js';
import { report } from './support/client.js';
import { startHttpsServer, type TestHttpsServer } from './support/https-server.js';
import { startTestService, type TestService } from './support/service.js';

const TENANT = 'cafe-central';
const SETTINGS = {
  PASARELA_URL_ALLOWLIST: '127.0.0.1',
  PASARELA_WEBHOOK_MAX_ATTEMPTS: '3',
  PASARELA_WEBHOOK_BACKOFF_BASE_MS: '100',
  PASARELA_WEBHOOK_BACKOFF_MAX_MS: '400',
  PASARELA_WEBHOOK_TIMEOUT_MS: '1500',
  PASARELA_WEBHOOK_ENDPOINT_CONCURRENCY: '1',
  PASARELA_WEBHOOK_POLL_MS: '50',
};
/** Every wait here is bounded by the attempts and delays configured above. */
const ALL_ATTEMPTS_MS =
  Number(SETTINGS.PASARELA_WEBHOOK_MAX_ATTEMPTS) *
    (Number(SETTINGS.PASARELA_WEBHOOK_TIMEOUT_MS) +
      Number(SETTINGS.PASARELA_WEBHOOK_BACKOFF_MAX_MS)) +
  2_000;

let worker: TestService;
let failing: TestHttpsServer;
let hanging: TestHttpsServer;
let healthy: TestHttpsServer;
let failingStatus = 500;

beforeAll(async () => {
  const ca = createTestCa();
  failing = await startHttpsServer(ca, ['127.0.0.1']);
  hanging = await startHttpsServer(ca, ['127.0.0.1']);
  healthy = await startHttpsServer(ca, ['127.0.0.1']);
  failing.handle('/hook', (_, response) => response.writeHead(failingStatus).end('not now'));
  hanging.handle('/hook', () => undefined);
  healthy.handle('/hook', (_, response) => response.writeHead(204).end());
  worker = await startTestService(null, { extraCa: [ca.cert], env: SETTINGS });
});

afterAll(async () => {
  await worker?.close();
  await Promise.all([failing, hanging, healthy].map((s) => s?.close()));
});

async function subscribe(server: TestHttpsServer, events?: string[]) {
  const answer = await worker.admin.post<{ id: string; secret: string }>('/api/webhooks', {
    url: `https://127.0.0.1:${server.port}/hook`,
    tenantId: TENANT,
    ...(events ? { events } : {}),
  });
  expect(answer.status).toBe(201);
  return answer.body;
}

async function until<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const limit = Date.now() + ALL_ATTEMPTS_MS;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > limit) throw new Error(`no ${what} within ${ALL_ATTEMPTS_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const publish = (type: string, data: unknown) => worker.service.hub.publish(type, TENANT, data);

describe('webhooks', () => {
  it('deliver each event signed with the subscription secret', async () => {
    const hook = await subscribe(healthy, ['session.paired']);
    const event = await publish('session.paired', { account: '15550100001:2@s.whatsapp.net' });
    const request = await until(
      async () =>
        healthy.requests.find((r) => r.headers['x-pasarela-event-id'] === String(event?.id)),
      'delivery',
    );
    const body = request.body.toString('utf8');
    const signature = String(request.headers['x-pasarela-signature']);
    const now = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(hook.secret, body, signature, now)).toBe(true);
    expect(
      verifyWebhook(hook.secret, body.replace('15550100001', '15550100002'), signature, now),
    ).toBe(false);
    expect(JSON.parse(body)).toEqual({
      id: event?.id,
      type: 'session.paired',
      tenantId: TENANT,
      at: event?.at,
      data: { account: '15550100001:2@s.whatsapp.net' },
    });
    await worker.admin.call('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('retry a failing endpoint with backoff, then keep the event as a dead letter', async () => {
    const hook = await subscribe(failing, ['session.alert']);
    const event = await publish('session.alert', { reason: 'forbidden', statusCode: 403 });
    const letters = await until(async () => {
      const answer = await worker.admin.get<{ deadLetters: Record<string, unknown>[] }>(
        `/api/webhooks/${hook.id}/dead-letters`,
      );
      return answer.body.deadLetters.length > 0 ? answer.body.deadLetters : undefined;
    }, 'dead letter');
    expect(letters).toEqual([
      expect.objectContaining({
        webhookId: hook.id,
        attempts: 3,
        lastStatus: 500,
        lastError: 'answered 500',
        event: expect.objectContaining({ id: event?.id, type: 'session.alert', tenantId: TENANT }),
      }),
    ]);
    const attempts = failing.requests.filter(
      (r) => r.headers['x-pasarela-event-id'] === String(event?.id),
    );
    expect(attempts.map((r) => String(r.headers['x-pasarela-delivery']).split('.')[1])).toEqual([
      '1',
      '2',
      '3',
    ]);
    const gaps = attempts.slice(1).map((r, i) => r.at - attempts[i]!.at);
    report(
      `retry gaps ${gaps.join(', ')} ms (base ${SETTINGS.PASARELA_WEBHOOK_BACKOFF_BASE_MS} ms)`,
    );

    failingStatus = 200;
    const redelivered = await worker.admin.post(
      `/api/webhooks/${hook.id}/dead-letters/${letters[0]!['id']}/redeliver`,
    );
    expect(redelivered.status).toBe(202);
    await until(
      async () =>
        failing.requests.filter((r) => r.headers['x-pasarela-event-id'] === String(event?.id))
          .length === 4
          ? true
          : undefined,
      'the redelivery',
    );
    const after = await worker.admin.get<{ deadLetters: unknown[] }>(
      `/api/webhooks/${hook.id}/dead-letters`,
    );
    expect(after.body.deadLetters).toEqual([]);
    await worker.admin.call('DELETE', `/api/webhooks/${hook.id}`);
  });

  it('never let an endpoint that does not answer hold up another', async () => {
    await subscribe(hanging, ['session.loop']);
    await subscribe(healthy, ['session.loop']);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const event = await publish('session.loop', { recentReconnects: 5 + i, delayMs: 1_000 });
      ids.push(event!.id);
    }
    const delivered = await until(async () => {
      const seen = healthy.requests.filter((r) =>
        ids.includes(Number(r.headers['x-pasarela-event-id'])),
      );
      return seen.length === ids.length ? seen : undefined;
    }, 'the healthy deliveries');
    const firstHang = await until(
      async () =>
        hanging.requests.find((r) => ids.includes(Number(r.headers['x-pasarela-event-id']))),
      'an attempt at the hanging endpoint',
    );
    // All five reached the healthy endpoint while the hanging one still held
    // its first attempt open (it times out only after the configured limit).
    const lastHealthy = Math.max(...delivered.map((r) => r.at));
    report(
      `healthy endpoint had all 5 events ${lastHealthy - firstHang.at} ms after the hanging ` +
        `endpoint's first attempt began (its timeout: ${SETTINGS.PASARELA_WEBHOOK_TIMEOUT_MS} ms)`,
    );
    expect(lastHealthy - firstHang.at).toBeLessThan(Number(SETTINGS.PASARELA_WEBHOOK_TIMEOUT_MS));
  });

  it.each([
    ['a private address', 'https://10.0.0.5/hook', 'host_not_allowed'],
    ['the metadata address', 'https://169.254.169.254/hook', 'host_not_allowed'],
    ['plain http', 'http://127.0.0.1:9/hook', 'url_not_allowed'],
  ])('refuses a subscription to %s', async (_, url, code) => {
    const answer = await worker.admin.post('/api/webhooks', { url, tenantId: TENANT });
    expect(answer.body).toMatchObject({ error: { code } });
  });

  it('refuses an event type that does not exist, naming the field', async () => {
    const answer = await worker.admin.post('/api/webhooks', {
      url: `https://127.0.0.1:${healthy.port}/hook`,
      events: ['message.deleted'],
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { code: 'invalid_request', context: { field: 'body.events' } },
    });
  });
});
