import { describe, expect, it } from 'vitest';
import type { RecordStore, SendRecord } from '../../src/records/index.js';

/**
 * What every record store must do, run against SQLite and PostgreSQL
 * alike. `open` gives a fresh, empty store.
 */
export function recordStoreContract(name: string, open: () => Promise<RecordStore>): void {
  const send = (key: string, overrides: Partial<SendRecord> = {}): SendRecord => ({
    tenant: 'la-trattoria',
    key,
    requestHash: 'h1',
    state: 'sending',
    retryable: false,
    messageId: null,
    to: '15550100001@s.whatsapp.net',
    kind: 'text',
    errorCode: null,
    errorMessage: null,
    message: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    ackAt: null,
    owner: 'replica-a',
    ...overrides,
  });

  describe(`${name} record store`, () => {
    it('claims an idempotency key once; the second claim gets the first record', async () => {
      const store = await open();
      const [a, b] = await Promise.all([store.claimSend(send('k1')), store.claimSend(send('k1'))]);
      expect([a.claimed, b.claimed].sort()).toEqual([false, true]);
      const lost = a.claimed ? b : a;
      expect(lost.claimed === false && lost.existing).toMatchObject({
        key: 'k1',
        state: 'sending',
      });
    });

    it('claims a retryable failure again, and never a final state', async () => {
      const store = await open();
      await store.claimSend(send('k2'));
      await store.updateSend('la-trattoria', 'k2', { state: 'failed', retryable: true }, 2_000);
      const again = await store.claimSend(send('k2', { requestHash: 'h2', updatedAt: 3_000 }));
      expect(again).toMatchObject({
        claimed: true,
        record: { state: 'sending', requestHash: 'h2' },
      });
      await store.updateSend('la-trattoria', 'k2', { state: 'outcome_unknown' }, 4_000);
      const final = await store.claimSend(send('k2'));
      expect(final).toMatchObject({ claimed: false, existing: { state: 'outcome_unknown' } });
    });

    it('updates a send only from the states it is asked to leave', async () => {
      const store = await open();
      await store.claimSend(send('k3'));
      const sent = await store.updateSend('la-trattoria', 'k3', { state: 'sent', ackAt: 5 }, 5, [
        'sending',
      ]);
      const late = await store.updateSend('la-trattoria', 'k3', { state: 'outcome_unknown' }, 6, [
        'sending',
        'pending',
      ]);
      expect(sent).toMatchObject({ state: 'sent', ackAt: 5 });
      expect(late).toBeUndefined();
      expect(await store.getSend('la-trattoria', 'k3')).toMatchObject({ state: 'sent' });
    });

    it('hands out event ids in order and reads them back by tenant and type', async () => {
      const store = await open();
      const written = [];
      for (const [type, tenant] of [
        ['session.status', 'a'],
        ['message.received', 'b'],
        ['session.status', 'b'],
      ] as const) {
        written.push(
          await store.appendEvent({ type, tenant, at: 1, data: { n: written.length } }, []),
        );
      }
      expect(written.map((e) => e.id)).toEqual([...written.map((e) => e.id)].sort((x, y) => x - y));
      const forB = await store.readEvents({ after: 0, tenant: 'b', limit: 10 });
      expect(forB.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
      const statuses = await store.readEvents({ after: 0, types: ['session.status'], limit: 10 });
      expect(statuses.map((e) => e.tenant)).toEqual(['a', 'b']);
      const after = await store.readEvents({ after: written[1]!.id, limit: 10 });
      expect(after.map((e) => e.id)).toEqual([written[2]!.id]);
      expect(await store.latestEventId()).toBe(written[2]!.id);
    });

    it('gives each endpoint at most its share of deliveries in flight', async () => {
      const store = await open();
      for (const id of ['wh_aaaaaaaaaaaa', 'wh_bbbbbbbbbbbb']) {
        await store.insertWebhook({
          id,
          tenant: null,
          url: 'https://x',
          events: null,
          secret: 's',
          createdAt: 1,
        });
      }
      for (let i = 0; i < 3; i++) {
        await store.appendEvent({ type: 'session.status', tenant: 't', at: 1, data: {} }, [
          'wh_aaaaaaaaaaaa',
          'wh_bbbbbbbbbbbb',
        ]);
      }
      const options = { now: 10, limit: 10, perWebhook: 2, lockMs: 1_000 };
      const first = await store.claimDeliveries(options);
      const perHook = (list: typeof first) =>
        list.reduce<Record<string, number>>(
          (acc, d) => ({ ...acc, [d.webhookId]: (acc[d.webhookId] ?? 0) + 1 }),
          {},
        );
      expect(perHook(first)).toEqual({ wh_aaaaaaaaaaaa: 2, wh_bbbbbbbbbbbb: 2 });
      // Nothing more while those are in flight; one finished frees one slot.
      expect(await store.claimDeliveries(options)).toEqual([]);
      await store.completeDelivery(first.find((d) => d.webhookId === 'wh_aaaaaaaaaaaa')!.id);
      expect(perHook(await store.claimDeliveries(options))).toEqual({ wh_aaaaaaaaaaaa: 1 });
      // A claim not finished within its lock is free again.
      const later = await store.claimDeliveries({ ...options, now: 10 + 1_001 });
      expect(perHook(later)).toEqual({ wh_aaaaaaaaaaaa: 2, wh_bbbbbbbbbbbb: 2 });
    });

    it('moves a delivery to the dead letters and queues it again on request', async () => {
      const store = await open();
      await store.insertWebhook({
        id: 'wh_cccccccccccc',
        tenant: 't',
        url: 'https://x',
        events: null,
        secret: 's',
        createdAt: 1,
      });
      await store.appendEvent({ type: 'session.alert', tenant: 't', at: 1, data: { r: 1 } }, [
        'wh_cccccccccccc',
      ]);
      const [delivery] = await store.claimDeliveries({
        now: 5,
        limit: 5,
        perWebhook: 5,
        lockMs: 100,
      });
      await store.retryDelivery(delivery!.id, 1, 6, 500, 'answered 500');
      const [again] = await store.claimDeliveries({ now: 6, limit: 5, perWebhook: 5, lockMs: 100 });
      expect(again).toMatchObject({ id: delivery!.id, attempt: 1 });
      const letter = await store.deadLetter(again!, 503, 'answered 503', 7);
      expect(letter).toMatchObject({ attempts: 2, lastStatus: 503, event: { data: { r: 1 } } });
      expect(await store.pendingDeliveries()).toBe(0);
      expect(await store.redeliverDeadLetter('wh_cccccccccccc', letter.id, 8)).toBe(true);
      expect(await store.listDeadLetters('wh_cccccccccccc', 10)).toEqual([]);
      const [redelivered] = await store.claimDeliveries({
        now: 9,
        limit: 5,
        perWebhook: 5,
        lockMs: 100,
      });
      expect(redelivered).toMatchObject({ attempt: 0, event: { id: letter.event.id } });
    });

    it('stores a received message once', async () => {
      const store = await open();
      const record = { tenant: 't', messageId: 'm1', chat: 'c', at: 1, raw: '{}' };
      expect(await store.insertInbound(record)).toBe(true);
      expect(await store.insertInbound(record)).toBe(false);
      expect(await store.getInbound('t', 'm1')).toEqual(record);
    });

    it('keeps events a delivery still needs when pruning', async () => {
      const store = await open();
      await store.insertWebhook({
        id: 'wh_dddddddddddd',
        tenant: null,
        url: 'https://x',
        events: null,
        secret: 's',
        createdAt: 1,
      });
      const kept = await store.appendEvent({ type: 'session.qr', tenant: 't', at: 1, data: {} }, [
        'wh_dddddddddddd',
      ]);
      const gone = await store.appendEvent(
        { type: 'session.qr', tenant: 't', at: 1, data: {} },
        [],
      );
      await store.prune({ sends: 0, events: 100, inbound: 0 });
      const left = await store.readEvents({ after: 0, limit: 10 });
      expect(left.map((e) => e.id)).toEqual([kept.id]);
      expect(gone.id).toBeGreaterThan(kept.id);
      expect(await store.oldestEventId()).toBe(kept.id);
    });

    it('keeps API keys by id with their hash, and revokes them once', async () => {
      const store = await open();
      await store.insertApiKey({
        id: 'psk_aaaaaaaaaaaa',
        tenant: 't',
        hash: 'ab',
        label: null,
        createdAt: 1,
        revokedAt: null,
      });
      expect(await store.revokeApiKey('other', 'psk_aaaaaaaaaaaa', 2)).toBe(false);
      expect(await store.revokeApiKey('t', 'psk_aaaaaaaaaaaa', 2)).toBe(true);
      expect(await store.revokeApiKey('t', 'psk_aaaaaaaaaaaa', 3)).toBe(false);
      expect(await store.findApiKey('psk_aaaaaaaaaaaa')).toMatchObject({
        hash: 'ab',
        revokedAt: 2,
      });
    });

    it('keeps one policy per tenant', async () => {
      const store = await open();
      await store.putTenantSettings({ tenant: 't', policy: 'prefer-tunnel', updatedAt: 1 });
      await store.putTenantSettings({ tenant: 't', policy: 'tunnel-only', updatedAt: 2 });
      expect(await store.listTenantSettings()).toEqual([
        { tenant: 't', policy: 'tunnel-only', updatedAt: 2 },
      ]);
      await store.forgetTenant('t');
      expect(await store.listTenantSettings()).toEqual([]);
    });
  });
}
