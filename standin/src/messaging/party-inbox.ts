import { getContentType, proto, unpadRandomMax16 } from '@whiskeysockets/baileys';
import type { Account } from '../accounts/store.js';
import type { Contact } from '../contacts/store.js';
import type { StandinContext } from '../context.js';
import type { SignalParty } from '../signal/party.js';
import { contentBytes, type BinaryNode } from '../wire/nodes.js';
import { accountDeviceJid, companionAddress } from './addresses.js';
import { fetchMedia } from './contact-media.js';
import { mediaContent, messageJson, messageText } from './content.js';
import type { EncType, FailureStage, ReceivedMedia } from './log.js';
import { sendContactReceipt } from './receipts-out.js';

/** A simulated device a client's message is for. */
export type PartyTarget =
  | { readonly kind: 'contact'; readonly contact: Contact }
  | { readonly kind: 'phone'; readonly account: Account };

/** One encrypted copy addressed to a simulated device, as it left the client. */
export interface Delivered {
  readonly sender: Account;
  readonly senderDevice: number;
  /** The client's `<message>` stanza. */
  readonly stanza: BinaryNode;
  readonly enc: BinaryNode;
}

function partyOf(target: PartyTarget): { party: string; signal: SignalParty } {
  return target.kind === 'contact'
    ? { party: target.contact.party, signal: target.contact.signal }
    : { party: `phone:${target.account.phone}`, signal: target.account.phoneParty };
}

/**
 * A simulated device handles what a client sent it, one message at a time:
 * it decrypts with its own sessions, strips the padding and decodes the
 * message, as the real device would. A contact then sends a delivery
 * receipt, downloads and checks any media, and sends a read receipt. A
 * message it cannot open is a recorded failure with the reason, and gets no
 * receipt.
 */
export function receiveAtParty(
  ctx: StandinContext,
  target: PartyTarget,
  item: Delivered,
): Promise<void> {
  const device = target.kind === 'contact' ? target.contact : target.account;
  const run = (): Promise<void> => handle(ctx, target, item);
  const next = (queues.get(device) ?? Promise.resolve()).then(run, run);
  queues.set(device, next);
  return next;
}

/** Each simulated device handles its messages one at a time, in arrival order. */
const queues = new WeakMap<object, Promise<void>>();

async function handle(ctx: StandinContext, target: PartyTarget, item: Delivered): Promise<void> {
  const { party, signal } = partyOf(target);
  const id = item.stanza.attrs.id ?? '';
  const fail = (stage: FailureStage, reason: string): void => {
    ctx.messages.addFailure({
      party,
      account: item.sender.phone,
      device: item.senderDevice,
      messageId: id,
      stage,
      reason,
    });
  };
  const type = item.enc.attrs.type;
  const body = contentBytes(item.enc);
  if ((type !== 'pkmsg' && type !== 'msg') || !body) {
    fail('decrypt', `cannot open enc type ${type ?? 'missing'} (only pkmsg and msg)`);
    return;
  }
  let padded: Buffer;
  try {
    padded = await signal.decrypt(companionAddress(item.sender, item.senderDevice), type, body);
  } catch (error) {
    fail('decrypt', `${type}: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  let message: proto.Message;
  try {
    message = proto.Message.decode(unpadRandomMax16(padded));
  } catch (error) {
    fail('decode', error instanceof Error ? error.message : String(error));
    return;
  }
  const inner = message.deviceSentMessage?.message ?? message;
  const media = mediaContent(inner);
  const receivedMedia: ReceivedMedia | null = media
    ? {
        kind: media.type,
        mimetype: media.mimetype,
        directPath: media.directPath,
        fileLength: media.fileLength,
        sha256: null,
        size: null,
        downloadedAt: null,
      }
    : null;
  const record = ctx.messages.addReceived({
    id,
    party,
    from: accountDeviceJid(item.sender, item.senderDevice),
    to: item.stanza.attrs.to ?? '',
    encType: type as EncType,
    contentType: getContentType(inner) ?? null,
    text: messageText(inner),
    deviceSentTo: message.deviceSentMessage?.destinationJid ?? null,
    message: messageJson(message),
    media: receivedMedia,
    receiptsSent: [],
  });
  if (target.kind !== 'contact') return;
  const { contact } = target;
  sendContactReceipt(ctx, contact, item, 'delivery');
  record.receiptsSent.push('delivery');
  if (media && receivedMedia) {
    try {
      const plain = await fetchMedia(ctx, party, media);
      receivedMedia.sha256 = plain.sha256;
      receivedMedia.size = plain.size;
      receivedMedia.downloadedAt = new Date().toISOString();
    } catch (error) {
      fail('media', error instanceof Error ? error.message : String(error));
      return;
    }
  }
  if (contact.readReceipts) {
    sendContactReceipt(ctx, contact, item, 'read');
    record.receiptsSent.push('read');
  }
}
