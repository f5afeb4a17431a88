import { createHash } from 'node:crypto';
import { signToken } from '@pasarela/shared';
import type { ReceivedMessage } from '@pasarela/standin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/events/webhooks/signature.js';
import { TEST_SESSION_SETTINGS } from '../session/support/harness.js';
import { createTestCa } from '../support/test-ca.js';
import { startHttpsServer, type TestHttpsServer } from './support/https-server.js';
import type { ApiClient } from './support/client.js';
import { report } from './support/client.js';
import { ADMIN_KEY, startTestService, type TestService } from './support/service.js';
import { startStandinProcess, type StandinProcess } from './support/standin-process.js';

const TENANT = 'casa-lucia';
const PHONE = '15550107001';
/** Pairing is a registration, a 515 and a login: each within Baileys' connect limit. */
const PAIR_MS = TEST_SESSION_SETTINGS.connectTimeoutMs * 4;

// A 1×1 PNG: real image bytes for WhatsApp's media path.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE' +
    'hQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let standin: StandinProcess;
let worker: TestService;
let tenant: ApiClient;
let contact: { phone: string; jid: string };
/** The restaurant backend's webhook endpoint. */
let hooks: TestHttpsServer;
let hookSecret: string;
/** Every secret the run handles; none may reach a log line. */
const secrets: Record<string, string> = {};

beforeAll(async () => {
  standin = await startStandinProcess();
  const ca = createTestCa();
  hooks = await startHttpsServer(ca, ['127.0.0.1']);
  hooks.handle('/pasarela', (_, response) => response.writeHead(200).end());
  worker = await startTestService(standin, {
    extraCa: [ca.cert],
    env: {
      PASARELA_SEND_ACK_TIMEOUT_MS: '5000',
      PASARELA_URL_ALLOWLIST: '127.0.0.1',
      // Baileys' own lines go through the same scrubbing; let it speak.
      PASARELA_BAILEYS_LOG_LEVEL: 'debug',
    },
  });
  const minted = await worker.admin.post<{ key: string }>(`/api/tenants/${TENANT}/keys`, {
    label: 'restaurant backend',
  });
  tenant = worker.admin.as(minted.body.key);
  const hook = await tenant.post<{ secret: string }>('/api/webhooks', {
    url: `https://127.0.0.1:${hooks.port}/pasarela`,
    events: ['message.received', 'message.receipt'],
  });
  hookSecret = hook.body.secret;
  Object.assign(secrets, {
    adminKey: ADMIN_KEY,
    tenantKey: minted.body.key,
    tenantKeySecret: minted.body.key.split('_')[2]!,
    webhookSecret: hookSecret,
  });
  contact = await standin.control.createContact({ name: 'Ana' });
});

afterAll(async () => {
  await worker?.close();
  await hooks?.close();
  await standin?.close();
});

describe('a tenant paired and messaging through the API', () => {
  it('pairs with the QR the API serves, scanned by the simulated phone', async () => {
    const events = worker.events(`?tenantId=${TENANT}`);
    await events.ready();
    const created = await worker.admin.post(`/api/baileys/sessions`, { tenantId: TENANT });
    expect(created.status).toBe(201);
    await events.next((e) => e.event === 'session.qr', 'a session.qr event', PAIR_MS);
    const qr = await tenant.get<{ qr: string }>(`/api/baileys/sessions/${TENANT}/qr`);
    expect(qr.status).toBe(200);
    const png = await tenant.get(`/api/baileys/sessions/${TENANT}/qr.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    // The QR's fields after the ref: the device's keys and its ADV secret.
    for (const [i, field] of (qr.body.qr.split('#')[1] ?? '').split(',').slice(1, 4).entries()) {
      secrets[`qrField${i}`] = field;
    }
    await standin.control.scanQr(qr.body.qr, { phone: PHONE });
    await events.next(
      (e) => e.event === 'session.status' && JSON.parse(e.data).data.to === 'connected',
      'connected',
      PAIR_MS,
    );
    const session = await tenant.get(`/api/baileys/sessions/${TENANT}`);
    expect(session.body).toMatchObject({
      tenantId: TENANT,
      status: 'connected',
      phoneNumber: PHONE,
      hasTunnel: false,
      tunnelHealthy: false,
      route: 'direct',
      tunnel: 'no tunnel',
      egressPolicy: 'direct',
    });
    expect(session.body['lastSeen']).toEqual(expect.any(Number));
    const account = await standin.control.account(PHONE);
    expect(account.registrations).toHaveLength(1);
    events.close();
  });

  it('sends a text that WhatsApp acks and the contact decrypts', async () => {
    const answer = await tenant.post(`/api/baileys/sessions/${TENANT}/messages/text`, {
      to: `+${contact.phone}`,
      text: 'Mesa para dos a las nueve',
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ state: 'sent', to: `${contact.phone}@s.whatsapp.net` });
    const received = await waitForReceived(
      contact.phone,
      (m) => m.text === 'Mesa para dos a las nueve',
    );
    expect(received.id).toBe(answer.body['id']);
  });

  it('sends an image given as bytes that arrives byte-exact', async () => {
    const answer = await tenant.post(`/api/baileys/sessions/${TENANT}/messages/media`, {
      to: contact.phone,
      kind: 'image',
      mimetype: 'image/png',
      caption: 'La carta',
      data: PNG.toString('base64'),
    });
    expect(answer.status).toBe(201);
    const received = await waitForReceived(
      contact.phone,
      (m) => m.id === answer.body['id'] && m.media?.sha256 != null,
    );
    expect(received.media?.sha256).toBe(createHash('sha256').update(PNG).digest('hex'));
  });

  it('publishes a received text and image on SSE, and serves the image bytes', async () => {
    const events = worker.events();
    await events.ready();
    await standin.control.sendFromContact(contact.phone, PHONE, { text: '¿Tenéis mesa?' });
    const text = await events.next(
      (e) => e.event === 'message.received' && JSON.parse(e.data).data.text === '¿Tenéis mesa?',
      'the received text',
      PAIR_MS,
    );
    expect(JSON.parse(text.data)).toMatchObject({
      type: 'message.received',
      tenantId: TENANT,
      data: { type: 'text', chat: `${contact.phone}@s.whatsapp.net`, media: null },
    });
    const delivery = await waitForHook(text.id!);
    const body = delivery.body.toString('utf8');
    expect(JSON.parse(body)).toEqual(JSON.parse(text.data));
    const signature = String(delivery.headers['x-pasarela-signature']);
    expect(verifyWebhook(hookSecret, body, signature, Math.floor(Date.now() / 1000))).toBe(true);
    const photo = Buffer.from(PNG);
    await standin.control.sendFromContact(contact.phone, PHONE, {
      image: { data: photo, mimetype: 'image/png', caption: 'Así' },
    });
    const image = await events.next(
      (e) => e.event === 'message.received' && JSON.parse(e.data).data.type === 'image',
      'the received image',
      PAIR_MS,
    );
    const media = JSON.parse(image.data).data.media as { path: string; mimetype: string };
    expect(media.mimetype).toBe('image/png');
    const download = await tenant.get(media.path);
    expect(download.status).toBe(200);
    expect(download.bytes.equals(photo)).toBe(true);
    await waitForHook(image.id!);
    events.close();
  });

  it('reports the delivery and read receipts of a sent message', async () => {
    const events = worker.events(`?types=message.receipt`, secrets['tenantKey']);
    await events.ready();
    const sent = await tenant.post(`/api/baileys/sessions/${TENANT}/messages/text`, {
      to: contact.phone,
      text: 'Gracias por su visita',
    });
    for (const status of ['delivered', 'read']) {
      const receipt = await events.next(
        (e) => {
          const data = JSON.parse(e.data).data as { id: string; status: string };
          return data.id === sent.body['id'] && data.status === status;
        },
        `the ${status} receipt`,
        PAIR_MS,
      );
      await waitForHook(receipt.id!);
    }
    events.close();
  });

  it('writes no secret to the log: keys, tokens, the QR, webhook secrets, media auth', async () => {
    const token = await signToken(
      { tenant: TENANT, role: 'peer', ttlSeconds: 60 },
      { signingKeyId: 'k1', keys: { k1: 'a-signing-secret-of-32-characters!!' } },
    );
    secrets['token'] = token.slice(4);
    secrets['mediaAuth'] = 'media-auth-0123456789abcdef';
    // A token and a credential parameter in a query, the way pages pass them.
    await tenant.get(`/api/baileys/sessions?token=${token}&auth=${secrets['mediaAuth']}`);
    // A key in the wrong place: refused, and the refusal is logged.
    await tenant.get(`/api/baileys/sessions/${TENANT}`, { key: `${secrets['tenantKey']}x` });
    await tenant.post(`/api/baileys/sessions/${TENANT}/messages/media`, {
      to: contact.phone,
      kind: 'image',
      url: `https://10.0.0.1/menu.png?auth=${secrets['mediaAuth']}`,
    });
    const text = worker.logs.text.join('\n');
    const found = Object.entries(secrets)
      .filter(([, value]) => text.includes(value))
      .map(([name]) => name);
    for (const name of found) {
      report(
        `${name}: ${worker.logs.text
          .filter((l) => l.includes(secrets[name]!))
          .slice(0, 2)
          .join('\n')}`,
      );
    }
    expect(found).toEqual([]);
    // The lines that carried them are there, scrubbed.
    expect(text).toContain('"url":"/api/baileys/sessions?token=[redacted]&auth=[redacted]"');
    report(
      `${worker.logs.text.length} log lines checked for ${Object.keys(secrets).length} secrets`,
    );
  });
});

async function waitForHook(eventId: string) {
  const until = Date.now() + PAIR_MS;
  for (;;) {
    const found = hooks.requests.find((r) => r.headers['x-pasarela-event-id'] === eventId);
    if (found) return found;
    if (Date.now() > until) throw new Error(`no webhook delivery of event ${eventId}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function waitForReceived(phone: string, match: (m: ReceivedMessage) => boolean) {
  const until = Date.now() + PAIR_MS;
  for (;;) {
    const found = (await standin.control.received(phone)).find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`the contact did not receive it within ${PAIR_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
