import { createHash } from 'node:crypto';
import { downloadMediaMessage, proto, type WAMessage } from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type ContactView, type Standin } from '../src/index.js';
import { authFolder, pairAndLogIn, type AuthFolder, type Client } from './support/client.js';
import { makePng } from './support/png.js';
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
  contact = await standin.control.createContact({ name: 'Ana Customer' });
});

afterAll(async () => {
  await client.stop();
  await standin.close();
  await auth.remove();
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const { DELIVERY_ACK, READ } = proto.WebMessageInfo.Status;

/**
 * The furthest status Baileys reported for a message it sent: from
 * `messages.update`, or merged into its own upsert when both fell in one
 * event-buffer flush (Baileys then folds the update into the message).
 */
function status(id: string): number {
  const updates = client.messageUpdates
    .filter((item) => item.key.id === id && typeof item.update.status === 'number')
    .map((item) => item.update.status as number);
  const own = client.upserts.find((item) => item.message.key.id === id)?.message.status;
  return Math.max(0, ...updates, own ?? 0);
}

async function receivedByContact(id: string) {
  let found: Awaited<ReturnType<Standin['control']['received']>>[number] | undefined;
  await waitFor(async () => {
    found = (await standin.control.received(contact.phone)).find((item) => item.id === id);
    return found !== undefined && found.receiptsSent.includes('read');
  }, `the contact to read ${id}`);
  return found as NonNullable<typeof found>;
}

async function upserted(id: string): Promise<WAMessage> {
  await waitFor(() => client.upserts.some((item) => item.message.key.id === id), `upsert ${id}`);
  return client.upserts.find((item) => item.message.key.id === id)?.message as WAMessage;
}

describe('Baileys sends a contact', () => {
  it(
    'a text: the contact decrypts it, and its ' + 'delivery and read receipts reach Baileys',
    async () => {
      const sent = await client.sock.sendMessage(contact.jid, {
        text: 'A table for two at eight?',
      });
      const id = sent?.key.id as string;
      const received = await receivedByContact(id);
      expect([received.text, received.contentType, received.encType]).toEqual([
        'A table for two at eight?',
        'extendedTextMessage',
        'pkmsg',
      ]);
      expect(received.from).toBe(client.sock.authState.creds.me?.id);
      expect(received.receiptsSent).toEqual(['delivery', 'read']);
      await waitFor(() => status(id) === READ, 'Baileys to mark it read');
    },
  );

  it(
    'a text to a contact that does not send ' + 'read receipts: Baileys marks it delivered',
    async () => {
      const quiet = await standin.control.createContact({ readReceipts: false });
      const sent = await client.sock.sendMessage(quiet.jid, { text: 'Your order is ready' });
      const id = sent?.key.id as string;
      await waitFor(() => status(id) === DELIVERY_ACK, 'Baileys to mark it delivered');
      const [received] = await standin.control.received(quiet.phone);
      expect([received?.id, received?.text, received?.receiptsSent]).toEqual([
        id,
        'Your order is ready',
        ['delivery'],
      ]);
    },
  );

  it(
    'an image: the contact downloads it from ' + 'the media host and decrypts it byte-exact',
    async () => {
      const png = makePng(64, 48, 1);
      const { lastSeq } = await standin.control.records();
      const sent = await client.sock.sendMessage(contact.jid, {
        image: png,
        mimetype: 'image/png',
        caption: "Tonight's special",
      });
      const id = sent?.key.id as string;
      const received = await receivedByContact(id);
      expect(received.contentType).toBe('imageMessage');
      expect(received.text).toBe("Tonight's special");
      expect(received.media).toMatchObject({
        kind: 'image',
        mimetype: 'image/png',
        size: png.length,
      });
      expect(received.media?.sha256).toBe(sha256(png));
      const { requests } = await standin.control.records(lastSeq);
      const fetched = requests.find((request) => request.method === 'GET');
      expect([fetched?.host, fetched?.status, fetched?.party, fetched?.account]).toEqual([
        'mmg.whatsapp.net',
        200,
        `contact:${contact.phone}`,
        null,
      ]);
      await waitFor(() => status(id) === READ, 'Baileys to mark it read');
    },
  );

  it("a copy of each to the account's phone, which decrypts them as a real device", async () => {
    const { received } = await standin.control.phone(phone);
    expect(
      received
        .filter((item) => item.deviceSentTo === contact.jid)
        .map((item) => [item.contentType, item.text]),
    ).toEqual([
      ['extendedTextMessage', 'A table for two at eight?'],
      ['imageMessage', "Tonight's special"],
    ]);
  });
});

describe('a contact sends Baileys', () => {
  it('a text: Baileys decrypts it and its receipts reach the contact', async () => {
    const sent = await standin.control.sendFromContact(contact.phone, phone, {
      text: 'Yes please, by the window',
    });
    // The contact answers on the session Baileys opened with its pkmsg: a plain msg.
    expect(sent.copies.map((copy) => copy.encType)).toEqual(['msg']);
    const message = await upserted(sent.id);
    expect(message.message?.conversation).toBe('Yes please, by the window');
    expect([message.key.remoteJid, message.key.fromMe, message.pushName]).toEqual([
      contact.jid,
      false,
      'Ana Customer',
    ]);
    await client.sock.readMessages([message.key]);
    await waitFor(
      async () => (await standin.control.sent(contact.phone)).at(-1)?.copies[0]?.state === 'read',
      'the read receipt at the contact',
    );
    const [copy] = (await standin.control.sent(contact.phone)).at(-1)?.copies ?? [];
    expect(copy?.receipts.map((receipt) => receipt.type)).toEqual(['delivery', 'read']);
  });

  it('an image: Baileys decrypts the message and downloads the image byte-exact', async () => {
    const png = makePng(80, 60, 2);
    const { lastSeq } = await standin.control.records();
    const sent = await standin.control.sendFromContact(contact.phone, phone, {
      image: { data: png, mimetype: 'image/png', caption: 'Is this the place?' },
    });
    const message = await upserted(sent.id);
    expect(message.message?.imageMessage?.caption).toBe('Is this the place?');
    const bytes = await downloadMediaMessage(message, 'buffer', {
      options: { dispatcher: client.egress.dispatcher } as RequestInit,
    });
    expect(sha256(bytes)).toBe(sha256(png));
    expect(sent.media?.sha256).toBe(sha256(png));
    const { requests } = await standin.control.records(lastSeq);
    const download = requests.find((request) => request.method === 'GET');
    expect([download?.host, download?.status, download?.account, download?.party]).toEqual([
      'mmg.whatsapp.net',
      200,
      phone,
      null,
    ]);
  });

  it('every message was handled: no failure is recorded', async () => {
    expect(await standin.control.failures()).toEqual([]);
    expect(client.logger.lines).toEqual([]);
    const { connections } = await standin.control.records();
    // Every query messaging caused (key fetches, usync, privacy tokens) had a real answer.
    expect(connections.flatMap((connection) => connection.genericAnswers)).toEqual([]);
  });
});
