import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type ContactView, type Standin } from '../src/index.js';
import {
  authFolder,
  pairAndLogIn,
  pairByQr,
  startClient,
  type AuthFolder,
  type Client,
} from './support/client.js';
import { waitFor } from './support/wait.js';

let standin: Standin;
let auth: AuthFolder;
let client: Client;
let phone: string;
let contact: ContactView;

beforeAll(async () => {
  standin = await startStandin();
  auth = await authFolder();
  const session = await pairAndLogIn(standin, auth);
  client = session.client;
  phone = session.paired.phone;
  contact = await standin.control.createContact({ name: 'Regular Guest' });
});

afterAll(async () => {
  await client.stop();
  await standin.close();
  await auth.remove();
});

function texts(from: Client, ids: readonly string[]): (string | null | undefined)[] {
  const wanted = new Set(ids);
  return from.upserts
    .filter((item) => wanted.has(item.message.key.id ?? ''))
    .map((item) => item.message.message?.conversation);
}

/** Stops Baileys and waits until the stand-in, too, has no connection open for the account. */
async function goOffline(): Promise<void> {
  await client.stop();
  await waitFor(async () => (await standin.control.account(phone)).open === 0, 'the close');
}

async function mailbox() {
  return (await standin.control.account(phone)).devices[0]?.mailbox;
}

describe('the offline queue', () => {
  it(
    'keeps what a contact sends while the account ' + 'is away and delivers it at the next login',
    async () => {
      await goOffline();
      const sent = [];
      for (const text of ['Are you open today?', 'We are four', 'Arriving at 9']) {
        sent.push(await standin.control.sendFromContact(contact.phone, phone, { text }));
      }
      expect(sent.map((item) => item.copies.map((copy) => copy.state))).toEqual([
        ['queued'],
        ['queued'],
        ['queued'],
      ]);
      expect(await mailbox()).toEqual({ held: 0, queued: 3, sent: 0 });

      client = await startClient(standin, auth);
      const ids = sent.map((item) => item.id);
      await waitFor(() => texts(client, ids).length === 3, 'the three queued messages');
      expect(texts(client, ids)).toEqual(['Are you open today?', 'We are four', 'Arriving at 9']);
      // A backlog is upserted as 'append', not as a live 'notify'.
      expect(
        client.upserts
          .filter((item) => ids.includes(item.message.key.id ?? ''))
          .map((item) => item.type),
      ).toEqual(['append', 'append', 'append']);
      await waitFor(async () => (await mailbox())?.sent === 0, 'the receipts to empty the mailbox');
      expect(await mailbox()).toEqual({ held: 0, queued: 0, sent: 0 });
      const copies = (await standin.control.sent(contact.phone)).flatMap((item) => item.copies);
      expect(copies.map((copy) => copy.state)).toEqual(['delivered', 'delivered', 'delivered']);
    },
  );

  it('holds a burst of 500 for the next login and delivers each exactly once', async () => {
    await client.opened;
    const count = 500;
    const asked = Date.now();
    const burst = await standin.control.burst(contact.phone, phone, count, 'Menu question');
    const encryptedMs = Date.now() - asked;
    expect([burst.ids.length, burst.held]).toEqual([count, count]);
    expect(await mailbox()).toEqual({ held: count, queued: 0, sent: 0 });
    // A live message sent after the burst arrives now; the held burst does not.
    const live = await standin.control.sendFromContact(contact.phone, phone, { text: 'Hello?' });
    await waitFor(() => texts(client, [live.id]).length === 1, 'the live message');
    expect(texts(client, burst.ids)).toEqual([]);

    await goOffline();
    client = await startClient(standin, auth);
    const started = Date.now();
    await waitFor(() => texts(client, burst.ids).length >= count, `${count} queued messages`, {
      timeoutMs: 60_000,
    });
    const deliveredMs = Date.now() - started;
    const arrived = client.upserts.filter((item) => burst.ids.includes(item.message.key.id ?? ''));
    expect(arrived).toHaveLength(count);
    expect(new Set(arrived.map((item) => item.message.key.id)).size).toBe(count);
    expect(texts(client, burst.ids)).toEqual(
      Array.from({ length: count }, (_, index) => `Menu question ${index + 1}/${count}`),
    );
    await waitFor(async () => (await mailbox())?.sent === 0, 'every receipt', {
      timeoutMs: 30_000,
    });
    const receiptsMs = Date.now() - started;
    console.log(
      `${count} messages encrypted and held in ${encryptedMs} ms; ` +
        `upserted ${deliveredMs} ms after the next login started; ` +
        `all confirmed by receipts after ${receiptsMs} ms`,
    );
    expect(await mailbox()).toEqual({ held: 0, queued: 0, sent: 0 });
    const { logins } = await standin.control.account(phone);
    expect(logins.at(-1)?.result).toBe('success');
    expect(await standin.control.failures()).toEqual([]);
  });

  it(
    'keeps a burst sent between pairing and ' + 'the first login until the device has keys',
    async () => {
      const fresh = await authFolder();
      try {
        const { paired } = await pairByQr(standin, fresh);
        const burst = await standin.control.burst(contact.phone, paired.phone, 20, 'Early bird');
        const sent = (await standin.control.sent(contact.phone)).filter((item) =>
          burst.ids.includes(item.id),
        );
        // Nothing to open a session with yet: the copies wait, unencrypted.
        expect(new Set(sent.flatMap((item) => item.copies.map((copy) => copy.encType)))).toEqual(
          new Set([null]),
        );
        const first = await startClient(standin, fresh);
        await first.synced;
        await waitFor(() => texts(first, burst.ids).length === 20, 'the 20 early messages');
        expect(texts(first, burst.ids)).toEqual(
          Array.from({ length: 20 }, (_, index) => `Early bird ${index + 1}/20`),
        );
        // They came as messages, so the history leaves them out.
        expect(first.histories.flatMap((history) => history.messages)).toEqual([]);
        await first.stop();
        expect(await standin.control.failures()).toEqual([]);
      } finally {
        await fresh.remove();
      }
    },
  );
});
