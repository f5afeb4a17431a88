import type { proto } from '@whiskeysockets/baileys';
import type { Account } from '../accounts/store.js';
import { contactJid, contactLid, type Contact } from '../contacts/store.js';
import type { StandinContext } from '../context.js';
import { encryptMedia } from '../media/crypto.js';
import type { SentMedia, SentMessage } from './log.js';
import { sendToAccount, type Sender } from './send.js';

/** What a contact can send: a text, or an image with an optional caption. */
export type ContactContent =
  | { readonly text: string }
  | {
      readonly image: {
        readonly data: Buffer;
        readonly mimetype: string;
        readonly caption?: string;
      };
    };

export function contactSender(contact: Contact): Sender {
  return {
    party: contact.party,
    signal: contact.signal,
    jid: contactJid(contact),
    attrs: { notify: contact.name, sender_lid: contactLid(contact) },
  };
}

/**
 * The contact's phone encrypts and uploads an image the way a sending
 * device does (a fresh media key, the file stored on the media host under a
 * direct path), and builds the message that points at it.
 */
async function imageMessage(
  ctx: StandinContext,
  account: Account,
  image: { data: Buffer; mimetype: string; caption?: string },
): Promise<{ message: proto.IMessage; media: SentMedia }> {
  const encrypted = await encryptMedia(image.data, 'image');
  const stored = ctx.media.put(encrypted.file, {
    account: null,
    kind: 'image',
    audience: account.phone,
  });
  const message: proto.IMessage = {
    imageMessage: {
      url: `https://${ctx.options.mediaHost}${stored.directPath}&mms3=true`,
      directPath: stored.directPath,
      mimetype: image.mimetype,
      mediaKey: encrypted.mediaKey,
      fileSha256: encrypted.fileSha256,
      fileEncSha256: encrypted.fileEncSha256,
      fileLength: encrypted.fileLength,
      mediaKeyTimestamp: Math.floor(Date.now() / 1000),
      ...(image.caption === undefined ? {} : { caption: image.caption }),
    },
  };
  const media: SentMedia = {
    kind: 'image',
    mimetype: image.mimetype,
    sha256: encrypted.fileSha256.toString('hex'),
    size: encrypted.fileLength,
    directPath: stored.directPath,
  };
  return { message, media };
}

/** A contact sends an account a message: one encrypted copy for each of its linked devices. */
export async function sendFromContact(
  ctx: StandinContext,
  contact: Contact,
  account: Account,
  content: ContactContent,
  options: { hold?: boolean } = {},
): Promise<SentMessage> {
  const sender = contactSender(contact);
  if ('text' in content) {
    return sendToAccount(ctx, sender, account, { conversation: content.text }, options);
  }
  const { message, media } = await imageMessage(ctx, account, content.image);
  return sendToAccount(ctx, sender, account, message, { ...options, media });
}

/**
 * `count` texts from a contact, encrypted now and held for each device's
 * next login even if the device is online: the offline backlog a phone
 * finds when it reconnects.
 */
export async function sendBurst(
  ctx: StandinContext,
  contact: Contact,
  account: Account,
  count: number,
  text: string,
): Promise<SentMessage[]> {
  const sent: SentMessage[] = [];
  for (let index = 1; index <= count; index += 1) {
    sent.push(
      await sendFromContact(
        ctx,
        contact,
        account,
        { text: `${text} ${index}/${count}` },
        {
          hold: true,
        },
      ),
    );
  }
  return sent;
}
