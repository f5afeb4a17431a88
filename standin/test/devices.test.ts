import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type ContactView, type Standin } from '../src/index.js';
import { authFolder, pairAndLogIn, type AuthFolder, type Client } from './support/client.js';
import { waitFor } from './support/wait.js';

let standin: Standin;
const folders: AuthFolder[] = [];
let first: Client;
let second: Client;
let phone: string;
let contact: ContactView;
let earlier: { fromBaileys: string; fromContact: string };

beforeAll(async () => {
  standin = await startStandin();
  folders.push(await authFolder(), await authFolder());
  const session = await pairAndLogIn(standin, folders[0] as AuthFolder);
  first = session.client;
  phone = session.paired.phone;
  contact = await standin.control.createContact({ name: 'Bruno Guest' });
  const sent = await first.sock.sendMessage(contact.jid, { text: 'Welcome back, Bruno' });
  const reply = await standin.control.sendFromContact(contact.phone, phone, {
    text: 'Thanks, see you Friday',
  });
  earlier = { fromBaileys: sent?.key.id as string, fromContact: reply.id };
  await waitFor(
    () => first.upserts.some((item) => item.message.key.id === reply.id),
    'the reply on the first device',
  );
  // The same account links a second companion.
  second = (await pairAndLogIn(standin, folders[1] as AuthFolder, { phone: { phone } })).client;
});

afterAll(async () => {
  await Promise.all([first.stop(), second.stop()]);
  await standin.close();
  await Promise.all(folders.map((folder) => folder.remove()));
});

function upsertOf(client: Client, id: string) {
  return client.upserts.find((item) => item.message.key.id === id)?.message;
}

describe('an account with two linked devices', () => {
  it("gives the new device the account's chat with the contact in its history sync", async () => {
    const [history] = second.histories;
    expect(history?.chats.map((chat) => chat.id)).toEqual([contact.jid]);
    expect(
      history?.messages.map((message) => [
        message.key.id,
        message.key.fromMe,
        message.message?.conversation ?? message.message?.extendedTextMessage?.text,
      ]),
    ).toEqual([
      [earlier.fromBaileys, true, 'Welcome back, Bruno'],
      [earlier.fromContact, false, 'Thanks, see you Friday'],
    ]);
    expect(history?.contacts.map((item) => [item.id, item.name, item.lid])).toEqual([
      [contact.jid, 'Bruno Guest', contact.lid],
    ]);
    // The history's LID mapping is what the new device decrypts the contact's messages with.
    const lid = await second.sock.signalRepository.lidMapping.getLIDForPN(contact.jid);
    expect(lid).toBe(contact.lid);
  });

  it("encrypts a contact's message for each device; both decrypt it and confirm it", async () => {
    const sent = await standin.control.sendFromContact(contact.phone, phone, {
      text: 'Can we bring a dog?',
    });
    expect(sent.copies.map((copy) => copy.device)).toEqual([2, 3]);
    await waitFor(
      () => upsertOf(first, sent.id) !== undefined && upsertOf(second, sent.id) !== undefined,
      'the message on both devices',
    );
    expect(upsertOf(first, sent.id)?.message?.conversation).toBe('Can we bring a dog?');
    expect(upsertOf(second, sent.id)?.message?.conversation).toBe('Can we bring a dog?');
    await waitFor(
      async () =>
        (await standin.control.sent(contact.phone))
          .find((item) => item.id === sent.id)
          ?.copies.every((copy) => copy.state === 'delivered') === true,
      'delivery receipts from both devices',
    );
  });

  it(
    'copies what one device sends to the other, ' + 'which shows it as sent by the account',
    async () => {
      const sent = await first.sock.sendMessage(contact.jid, { text: 'Of course, dogs welcome' });
      const id = sent?.key.id as string;
      await waitFor(() => upsertOf(second, id) !== undefined, 'the copy on the second device');
      const copy = upsertOf(second, id);
      expect([copy?.key.fromMe, copy?.key.remoteJid]).toEqual([true, contact.jid]);
      expect(copy?.message?.extendedTextMessage?.text).toBe('Of course, dogs welcome');
      await waitFor(
        async () => (await standin.control.received(contact.phone)).some((item) => item.id === id),
        'the contact to get it',
      );
      // The contact has answered this device before, so its session is past the pkmsg stage.
      const received = (await standin.control.received(contact.phone)).find(
        (item) => item.id === id,
      );
      expect([received?.encType, received?.text]).toEqual(['msg', 'Of course, dogs welcome']);
      expect(await standin.control.failures()).toEqual([]);
    },
  );
});
