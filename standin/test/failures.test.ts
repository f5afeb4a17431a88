import { proto } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlError } from '../src/index.js';
import { startStandin, type Standin } from '../src/index.js';
import { authFolder, pairAndLogIn, type AuthFolder, type Client } from './support/client.js';
import { waitFor } from './support/wait.js';

let standin: Standin;
let auth: AuthFolder;
let client: Client;
let phone: string;

beforeAll(async () => {
  standin = await startStandin();
  auth = await authFolder();
  const session = await pairAndLogIn(standin, auth);
  client = session.client;
  phone = session.paired.phone;
});

afterAll(async () => {
  await client.stop();
  await standin.close();
  await auth.remove();
});

describe('a message the stand-in cannot decrypt', () => {
  it(
    'is recorded with its reason and gets no ' + 'receipt, instead of passing as delivered',
    async () => {
      const contact = await standin.control.createContact();
      const first = await client.sock.sendMessage(contact.jid, { text: 'first' });
      await waitFor(
        async () => (await standin.control.received(contact.phone)).length === 1,
        'the first message at the contact',
      );
      // The contact loses its sessions; the client's next message still uses the old one.
      await standin.control.forgetSessions(contact.phone);
      const second = await client.sock.sendMessage(contact.jid, { text: 'second' });
      const id = second?.key.id as string;
      await waitFor(async () => (await standin.control.failures()).length === 1, 'the failure');
      const [failure] = await standin.control.failures();
      expect([failure?.stage, failure?.party, failure?.messageId, failure?.account]).toEqual([
        'decrypt',
        `contact:${contact.phone}`,
        id,
        phone,
      ]);
      expect(failure?.reason).toMatch(/^pkmsg: .*PreKey/);
      const received = await standin.control.received(contact.phone);
      expect(received.map((item) => item.id)).toEqual([first?.key.id]);
      // Only the first message ever got the contact's receipts.
      const updated = client.messageUpdates.filter((item) => item.key.id === id);
      expect(updated.map((item) => item.update.status)).not.toContain(
        proto.WebMessageInfo.Status.DELIVERY_ACK,
      );
    },
  );
});

describe('the control API for contacts', () => {
  it('refuses a contact on a number that belongs to an account', async () => {
    const refused = await standin.control.createContact({ phone }).catch((error: unknown) => error);
    expect([(refused as ControlError).code, (refused as ControlError).context]).toEqual([
      'bad_request',
      { field: 'phone' },
    ]);
  });

  it('names the unknown contact or account a send refers to', async () => {
    const contact = await standin.control.createContact();
    const unknownContact = await standin.control
      .sendFromContact('15550199999', phone, { text: 'hi' })
      .catch((error: unknown) => error);
    const unknownAccount = await standin.control
      .sendFromContact(contact.phone, '15550199998', { text: 'hi' })
      .catch((error: unknown) => error);
    expect([(unknownContact as ControlError).code, (unknownAccount as ControlError).code]).toEqual([
      'contact_unknown',
      'account_unknown',
    ]);
  });

  it('refuses a burst outside 1 to 10000 messages', async () => {
    const contact = await standin.control.createContact();
    const refused = await standin.control
      .burst(contact.phone, phone, 0)
      .catch((error: unknown) => error);
    expect([(refused as ControlError).code, (refused as ControlError).context]).toEqual([
      'bad_request',
      { field: 'count' },
    ]);
  });
});
