import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from '../helpers/pg.js';
import { startTestService, type TestService } from './support/service.js';

const KEEPALIVE_MS = 300;

describe.each([
  ['SQLite', () => ({})],
  [
    'PostgreSQL',
    () => ({
      PASARELA_STORE: 'postgres',
      PASARELA_DATABASE_URL: TEST_DATABASE_URL,
      PASARELA_PG_SCHEMA: uniqueSchema('events'),
    }),
  ],
])('the event stream on %s', (_, store) => {
  let worker: TestService;
  let schema: string | undefined;

  beforeAll(async () => {
    const env = store() as Record<string, string>;
    schema = env['PASARELA_PG_SCHEMA'];
    worker = await startTestService(null, {
      env: { ...env, PASARELA_SSE_KEEPALIVE_MS: String(KEEPALIVE_MS), PASARELA_SSE_POLL_MS: '100' },
    });
  });

  afterAll(async () => {
    await worker?.close();
    if (schema) await dropSchema(schema);
  });

  const publish = (type: string, tenant: string, data: unknown) =>
    worker.service.hub.publish(type, tenant, data);

  it('resumes after Last-Event-ID with exactly the events that followed it', async () => {
    const first = await publish('session.paired', 'resume-a', { n: 1 });
    await publish('session.paired', 'resume-a', { n: 2 });
    await publish('session.paired', 'resume-b', { n: 3 });
    const last = await publish('session.paired', 'resume-a', { n: 4 });
    const stream = worker.events('?types=session.paired', undefined, {
      'last-event-id': String(first!.id),
    });
    await stream.next((e) => e.id === String(last!.id), 'the last event', 5_000);
    const seen = stream.events.filter((e) => e.event === 'session.paired');
    expect(seen.map((e) => (JSON.parse(e.data) as { data: { n: number } }).data.n)).toEqual([
      2, 3, 4,
    ]);
    expect(seen.map((e) => Number(e.id))).toEqual(
      seen.map((e) => Number(e.id)).sort((a, b) => a - b),
    );
    stream.close();
  });

  it("shows a tenant key its own tenant's events only", async () => {
    const key = await worker.admin.post<{ key: string }>('/api/tenants/solo-yo/keys', {});
    const stream = worker.events('?types=session.loop', key.body.key);
    await stream.ready();
    await publish('session.loop', 'otro', { recentReconnects: 9 });
    const mine = await publish('session.loop', 'solo-yo', { recentReconnects: 5 });
    await stream.next((e) => e.id === String(mine!.id), 'its own event', 5_000);
    expect(stream.events.map((e) => (JSON.parse(e.data) as { tenantId: string }).tenantId)).toEqual(
      ['solo-yo'],
    );
    stream.close();
  });

  it('says when the events it asks for were pruned, then goes on', async () => {
    const old = await publish('session.qr', 'gap-t', { at: 1 });
    await worker.service.records.prune({ sends: 0, events: Date.now() + 1, inbound: 0 });
    const kept = await publish('session.qr', 'gap-t', { at: 2 });
    const stream = worker.events('?tenantId=gap-t', undefined, {
      'last-event-id': String(old!.id - 1),
    });
    const gap = await stream.next((e) => e.event === 'gap', 'a gap event', 5_000);
    expect(JSON.parse(gap.data)).toEqual({ after: old!.id - 1, oldest: kept!.id });
    await stream.next((e) => e.id === String(kept!.id), 'the kept event', 5_000);
    stream.close();
  });

  it('sends keepalive comments on an idle stream', async () => {
    const stream = worker.events('?tenantId=idle-t');
    await stream.ready();
    const until = Date.now() + KEEPALIVE_MS * 10;
    while (!stream.comments.includes('keepalive') && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stream.comments).toContain('keepalive');
    stream.close();
  });

  it('refuses a Last-Event-ID that is not an id and an unknown event type', async () => {
    const bad = worker.events('', undefined, { 'last-event-id': 'yesterday' });
    const unknown = worker.events('?types=message.deleted');
    expect([await bad.status, await unknown.status]).toEqual([400, 400]);
  });
});
