import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { report, type ApiClient } from './support/client.js';
import { PAIR_MS, pairThroughApi, receivedBy } from './support/pair.js';
import { startTestService, type TestService } from './support/service.js';
import { startStandinProcess, type StandinProcess } from './support/standin-process.js';

const TENANT = 'taberna-sol';
const PHONE = '15550107101';
/** The send deadline of this file; the pending case waits this long once. */
const ACK_MS = 4_000;
const TEXT = `/api/baileys/sessions/${TENANT}/messages/text`;

let standin: StandinProcess;
let worker: TestService;
let tenant: ApiClient;
let contact: { phone: string };

beforeAll(async () => {
  standin = await startStandinProcess();
  worker = await startTestService(standin, {
    env: { PASARELA_SEND_ACK_TIMEOUT_MS: String(ACK_MS) },
  });
  tenant = await pairThroughApi(worker, standin, TENANT, PHONE);
  contact = await standin.control.createContact({ name: 'Marta' });
}, PAIR_MS * 2);

afterAll(async () => {
  await worker?.close();
  await standin?.close();
});

/** How many messages with this text the contact decrypted, once a later marker arrived. */
async function countAtContact(text: string): Promise<number> {
  const marker = `marker ${text}`;
  const sent = await tenant.post(TEXT, { to: contact.phone, text: marker });
  expect(sent.status).toBe(201);
  await receivedBy(standin, contact.phone, (m) => m.text === marker);
  return (await standin.control.received(contact.phone)).filter((m) => m.text === text).length;
}

describe('sends with an idempotency key', () => {
  it(
    'send once when the same call is retried, ' + 'and answer the retry with the first result',
    async () => {
      const body = { to: contact.phone, text: 'Reserva confirmada' };
      const headers = { 'idempotency-key': 'order-1001-confirm' };
      const first = await tenant.post(TEXT, body, { headers });
      const retry = await tenant.post(TEXT, body, { headers });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toEqual(first.body);
      expect(await countAtContact('Reserva confirmada')).toBe(1);
    },
  );

  it('send once when two calls with one key race each other', async () => {
    const body = { to: contact.phone, text: 'Pedido 1002 en camino', idempotencyKey: 'order-1002' };
    const [a, b] = await Promise.all([tenant.post(TEXT, body), tenant.post(TEXT, body)]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body['id']).toBe(b.body['id']);
    expect(await countAtContact('Pedido 1002 en camino')).toBe(1);
  });

  it('refuses the key again with a different request', async () => {
    const headers = { 'idempotency-key': 'order-1003' };
    await tenant.post(TEXT, { to: contact.phone, text: 'Pedido 1003' }, { headers });
    const reused = await tenant.post(TEXT, { to: contact.phone, text: 'Otro texto' }, { headers });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  });
});

describe('a send whose ack does not come', () => {
  it(
    'answers outcome_unknown when the connection ' + 'drops first, keeps it, and never sends again',
    async () => {
      await standin.control.setAccountFaults(PHONE, { holdAcks: true });
      const headers = { 'idempotency-key': 'order-2001' };
      const body = { to: contact.phone, text: 'Su mesa está lista' };
      const answer = tenant.post(TEXT, body, { headers });
      await receivedBy(standin, contact.phone, (m) => m.text === 'Su mesa está lista');
      await standin.control.drop(PHONE);
      const first = await answer;
      await standin.control.clearAccountFaults(PHONE);
      expect(first.status).toBe(502);
      expect(first.body).toMatchObject({
        error: { code: 'outcome_unknown', context: { idempotencyKey: 'order-2001' } },
        send: { state: 'outcome_unknown', idempotencyKey: 'order-2001' },
      });

      await waitConnected();
      const retry = await tenant.post(TEXT, body, { headers });
      expect(retry.status).toBe(502);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toMatchObject({ error: { code: 'outcome_unknown' } });
      const record = await tenant.get(`/api/baileys/sessions/${TENANT}/sends/order-2001`);
      expect(record.body).toMatchObject({
        state: 'outcome_unknown',
        id: first.body['send'] && (first.body['send'] as { id: string }).id,
      });
      expect(await countAtContact('Su mesa está lista')).toBe(1);
    },
  );

  it('answers pending past the deadline, then publishes the ack when it comes', async () => {
    await standin.control.setAccountFaults(PHONE, { holdAcks: true });
    const events = worker.events(`?tenantId=${TENANT}&types=message.send`);
    await events.ready();
    const started = Date.now();
    const answer = await tenant.post(
      TEXT,
      { to: contact.phone, text: 'Llegamos tarde' },
      {
        headers: { 'idempotency-key': 'order-3001' },
      },
    );
    report(`pending answered after ${Date.now() - started} ms (deadline ${ACK_MS} ms)`);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ state: 'pending', ackAt: null });
    await standin.control.clearAccountFaults(PHONE);
    const late = await events.next((e) => e.event === 'message.send', 'the late ack', PAIR_MS);
    expect(JSON.parse(late.data).data).toMatchObject({
      idempotencyKey: 'order-3001',
      id: answer.body['id'],
      state: 'sent',
    });
    events.close();
  });

  it('answers upstream_rejected when WhatsApp nacks the message', async () => {
    await standin.control.setAccountFaults(PHONE, { holdAcks: true });
    const answer = tenant.post(
      TEXT,
      { to: contact.phone, text: 'Mensaje rechazado' },
      {
        headers: { 'idempotency-key': 'order-4001' },
      },
    );
    await receivedBy(standin, contact.phone, (m) => m.text === 'Mensaje rechazado');
    await standin.control.releaseAcks(PHONE, 479);
    const refused = await answer;
    await standin.control.clearAccountFaults(PHONE);
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({
      error: { code: 'upstream_rejected' },
      send: { state: 'failed', error: { code: 'upstream_rejected' } },
    });
  });
});

async function waitConnected(): Promise<void> {
  const until = Date.now() + PAIR_MS;
  for (;;) {
    const session = await tenant.get(`/api/baileys/sessions/${TENANT}`);
    if (session.body['status'] === 'connected') return;
    if (Date.now() > until) throw new Error(`not connected again within ${PAIR_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
