import { createHash } from 'node:crypto';
import type { ReceivedMessage } from '@pasarela/standin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SESSION_SETTINGS } from '../session/support/harness.js';
import type { ApiClient } from './support/client.js';
import { startTestService, type TestService } from './support/service.js';
import { startStandinProcess, type StandinProcess } from './support/standin-process.js';

const TENANT = 'casa-lucia';
const PHONE = '15550107001';
/** Pairing is a registration, a 515 and a login: each within Baileys' connect limit. */
const PAIR_MS = TEST_SESSION_SETTINGS.connectTimeoutMs * 4;

// A 1×1 PNG: real image bytes for WhatsApp's media path.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let standin: StandinProcess;
let worker: TestService;
let tenant: ApiClient;
let contact: { phone: string; jid: string };

beforeAll(async () => {
  standin = await startStandinProcess();
  worker = await startTestService(standin, { env: { PASARELA_SEND_ACK_TIMEOUT_MS: '5000' } });
  const minted = await worker.admin.post<{ key: string }>(`/api/tenants/${TENANT}/keys`, {
    label: 'restaurant backend',
  });
  tenant = worker.admin.as(minted.body.key);
  contact = await standin.control.createContact({ name: 'Ana' });
});

afterAll(async () => {
  await worker?.close();
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
    events.close();
  });
});

async function waitForReceived(phone: string, match: (m: ReceivedMessage) => boolean) {
  const until = Date.now() + PAIR_MS;
  for (;;) {
    const found = (await standin.control.received(phone)).find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`the contact did not receive it within ${PAIR_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
