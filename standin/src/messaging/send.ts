import { randomBytes } from 'node:crypto';
import { encodeWAMessage, getContentType, type proto } from '@whiskeysockets/baileys';
import { linkedDevices, type Account, type Device } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import type { SignalParty } from '../signal/party.js';
import { unixSeconds } from '../wire/nodes.js';
import { companionAddress } from './addresses.js';
import { companionBundle } from './bundles.js';
import type { DeviceCopy, SentMedia, SentMessage } from './log.js';
import { messageJson, messageText, mediaTypeOf } from './content.js';

/** A simulated device sending to an account: how its stanzas say who they are from. */
export interface Sender {
  /** The message log's name for it. */
  readonly party: string;
  readonly signal: SignalParty;
  /** The stanza's `from`: the sender's device JID. */
  readonly jid: string;
  /** Further stanza attributes: `notify`, `sender_lid`, `category`. */
  readonly attrs: Readonly<Record<string, string>>;
}

export interface SendOptions {
  /** Keep the copies for each device's next login (a burst). */
  readonly hold?: boolean;
  /** Only these devices (default: every linked companion). */
  readonly devices?: readonly Device[];
  readonly media?: SentMedia | null;
}

/** A message id as a phone makes them: 16 random bytes in upper-case hex. */
export function newMessageId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** The stanza `type` the service uses: media, reaction, or text. */
function stanzaType(message: proto.IMessage): string {
  if (message.reactionMessage) return 'reaction';
  return mediaTypeOf(message) ? 'media' : 'text';
}

/**
 * Encrypts a message once per device with the sender's own Signal sessions
 * (opening one from the device's bundle where there is none) and hands each
 * copy to delivery. Every copy is logged; a device that cannot be encrypted
 * for is a recorded failure, never a silent skip.
 */
export async function sendToAccount(
  ctx: StandinContext,
  sender: Sender,
  account: Account,
  message: proto.IMessage,
  options: SendOptions = {},
): Promise<SentMessage> {
  const id = newMessageId();
  const plain = Buffer.from(encodeWAMessage(message));
  const mediaType = mediaTypeOf(message);
  const t = unixSeconds();
  const copies: { device: Device; copy: DeviceCopy; body: Buffer }[] = [];
  for (const device of options.devices ?? linkedDevices(account)) {
    try {
      const encrypted = await sender.signal.encrypt(
        companionAddress(account, device.device),
        () => companionBundle(ctx, account, device),
        plain,
      );
      const copy: DeviceCopy = {
        device: device.device,
        encType: encrypted.type,
        state: 'queued',
        receipts: [],
      };
      copies.push({ device, copy, body: encrypted.body });
    } catch (error) {
      ctx.messages.addFailure({
        party: sender.party,
        account: account.phone,
        device: device.device,
        messageId: id,
        stage: 'encrypt',
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const record = ctx.messages.addSent({
    id,
    party: sender.party,
    to: account.phone,
    contentType: getContentType(message) ?? null,
    text: messageText(message),
    message: messageJson(message),
    media: options.media ?? null,
    held: options.hold ?? false,
    copies: copies.map((item) => item.copy),
  });
  for (const { device, copy, body } of copies) {
    const enc = {
      tag: 'enc',
      attrs: { v: '2', type: copy.encType, ...(mediaType ? { mediatype: mediaType } : {}) },
      content: body,
    };
    ctx.delivery.post(account, device, {
      key: `message:${id}`,
      stanza: {
        tag: 'message',
        attrs: { from: sender.jid, id, t, type: stanzaType(message), ...sender.attrs },
        content: [enc],
      },
      hold: options.hold ?? false,
      copy,
    });
  }
  return record;
}
