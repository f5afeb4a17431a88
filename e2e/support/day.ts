import { createHash, randomBytes } from 'node:crypto';
import type { ReceivedMessage } from '@pasarela/standin';
import type { WorkerEvent } from '../../dev/src/sse.js';
import { BOUNDS } from './settings.js';
import { until } from './wait.js';
import type { Restaurant, World } from './world.js';

/** A 1×1 PNG with `size` bytes in all: real image bytes, long enough to cross in many frames. */
export function photo(size: number): Buffer {
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE' +
      'hQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
  // Decoders stop at IEND; the bytes after it travel as part of the file.
  return Buffer.concat([png, randomBytes(size - png.length)]);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** What the simulated customer decrypted, once `test` finds it. */
export function contactReceives(
  world: World,
  contact: string,
  test: (message: ReceivedMessage) => boolean,
  what: string,
  boundMs = BOUNDS.messageMs,
): Promise<ReceivedMessage> {
  return until(
    `the customer to receive ${what}`,
    async () => (await world.control.received(contact)).find(test),
    boundMs,
  );
}

/** The worker's `message.received` event for `test`, read off its SSE stream. */
export function workerReceives(
  world: World,
  tenant: string,
  test: (data: Record<string, unknown>) => boolean,
  what: string,
  boundMs = BOUNDS.messageMs,
  after = 0,
): Promise<WorkerEvent> {
  return until(
    `the worker to receive ${what}`,
    async () => world.events.of(tenant, 'message.received', after).find((e) => test(e.data)),
    boundMs,
  );
}

/**
 * What an operator does for a new restaurant: create its tenant (the
 * session starts and shows a QR), mint its backend's key, open its
 * backend. Resolves with the QR string once shown and when it appeared.
 */
export async function createRestaurant(
  world: World,
  restaurant: Restaurant,
): Promise<{ qr: string; createdAt: number; qrAt: number }> {
  const createdAt = Date.now();
  const created = await world.api.call('POST', '/api/baileys/sessions', {
    body: { tenantId: restaurant.tenant, policy: 'prefer-tunnel' },
  });
  if (created.status !== 201) throw new Error(`create ${restaurant.tenant}: ${created.status}`);
  const key = await world.api.call<{ key: string }>(
    'POST',
    `/api/tenants/${restaurant.tenant}/keys`,
    { body: { label: 'restaurant backend' } },
  );
  restaurant.key = key.body.key;
  await world.openBackend(restaurant);
  const qr = await until(
    `${restaurant.tenant}: a QR`,
    async () => {
      const answer = await world.api.call<{ qr: string }>(
        'GET',
        `/api/baileys/sessions/${restaurant.tenant}/qr`,
        { key: restaurant.key },
      );
      return answer.status === 200 ? answer.body.qr : undefined;
    },
    BOUNDS.qrMs,
  );
  return { qr, createdAt, qrAt: Date.now() };
}

/** The session's status as the API says, once `test` accepts it. */
export function sessionReads(
  world: World,
  restaurant: Restaurant,
  test: (session: { status: string; route: string; tunnel: string }) => boolean,
  what: string,
  boundMs: number,
) {
  return until(
    `${restaurant.tenant}: the API to say ${what}`,
    async () => {
      const answer = await world.api.session(restaurant.tenant, restaurant.key);
      return answer.status === 200 && test(answer.body) ? answer.body : undefined;
    },
    boundMs,
  );
}

/** An id for a send, so a retry is the same send. */
export function idempotencyKey(label: string): string {
  return `e2e-${label}-${randomBytes(6).toString('hex')}`;
}
