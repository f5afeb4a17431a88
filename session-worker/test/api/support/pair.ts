import type { ReceivedMessage } from '@pasarela/standin';
import { TEST_SESSION_SETTINGS } from '../../session/support/harness.js';
import type { ApiClient } from './client.js';
import type { TestService } from './service.js';
import type { StandinProcess } from './standin-process.js';

/** Pairing is a registration, a 515 and a login: each within Baileys' connect limit. */
export const PAIR_MS = TEST_SESSION_SETTINGS.connectTimeoutMs * 4;

/**
 * Creates a tenant with a key of its own, starts it through the API, has the
 * simulated phone scan the QR the API serves, and waits for `connected`.
 * Returns a client holding the tenant's key.
 */
export async function pairThroughApi(
  worker: TestService,
  standin: StandinProcess,
  tenant: string,
  phone: string,
): Promise<ApiClient> {
  const minted = await worker.admin.post<{ key: string }>(`/api/tenants/${tenant}/keys`, {});
  const client = worker.admin.as(minted.body.key);
  const events = worker.events(`?tenantId=${tenant}`);
  try {
    await events.ready();
    const created = await worker.admin.post('/api/baileys/sessions', { tenantId: tenant });
    if (created.status !== 201) throw new Error(`create answered ${created.status}`);
    await events.next((e) => e.event === 'session.qr', 'a QR', PAIR_MS);
    const qr = await client.get<{ qr: string }>(`/api/baileys/sessions/${tenant}/qr`);
    await standin.control.scanQr(qr.body.qr, { phone });
    await events.next(
      (e) => e.event === 'session.status' && JSON.parse(e.data).data.to === 'connected',
      'connected',
      PAIR_MS,
    );
  } finally {
    events.close();
  }
  return client;
}

/** Waits until the simulated contact decrypted a message that matches. */
export async function receivedBy(
  standin: StandinProcess,
  phone: string,
  match: (m: ReceivedMessage) => boolean,
  limitMs = PAIR_MS,
): Promise<ReceivedMessage> {
  const until = Date.now() + limitMs;
  for (;;) {
    const found = (await standin.control.received(phone)).find(match);
    if (found) return found;
    if (Date.now() > until) throw new Error(`the contact did not receive it within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
