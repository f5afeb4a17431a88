import { randomBytes } from 'node:crypto';
import { encodeWAMessage, getContentType, type proto } from '@whiskeysockets/baileys';
import { linkedDevices, type Account, type Device } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import type { SignalParty } from '../signal/party.js';
import { unixSeconds, type BinaryNode } from '../wire/nodes.js';
import { companionAddress } from './addresses.js';
import { companionBundle } from './bundles.js';
import { messageJson, messageText, mediaTypeOf } from './content.js';
import type { DeviceCopy, SentMedia, SentMessage } from './log.js';

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

interface Outgoing {
  readonly ctx: StandinContext;
  readonly sender: Sender;
  readonly account: Account;
  readonly id: string;
  readonly plain: Buffer;
  readonly attrs: Record<string, string>;
  readonly mediaType: string | null;
}

/**
 * Encrypts one device's copy and hands it to delivery. A device that cannot
 * be encrypted for is a recorded failure, never a silent skip.
 */
async function encryptCopy(out: Outgoing, device: Device, copy: DeviceCopy, hold: boolean) {
  const { ctx, sender, account, id } = out;
  try {
    const encrypted = await sender.signal.encrypt(
      companionAddress(account, device.device),
      () => companionBundle(ctx, account, device),
      out.plain,
    );
    copy.encType = encrypted.type;
    const enc: BinaryNode = {
      tag: 'enc',
      attrs: {
        v: '2',
        type: encrypted.type,
        ...(out.mediaType ? { mediatype: out.mediaType } : {}),
      },
      content: encrypted.body,
    };
    ctx.delivery.post(account, device, {
      key: `message:${id}`,
      stanza: { tag: 'message', attrs: out.attrs, content: [enc] },
      hold,
      copy,
    });
  } catch (error) {
    copy.state = 'failed';
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

/**
 * Sends a message to an account's companions, one copy per device encrypted
 * with the sender's own Signal session (opened from the device's bundle
 * where there is none). A device linked but not yet logged in has no
 * one-time pre-keys to open a session with (Baileys cannot decrypt a session
 * opened without one), so its copy is encrypted once it has uploaded them,
 * and then counts as delivered at that login rather than held for the next.
 */
export async function sendToAccount(
  ctx: StandinContext,
  sender: Sender,
  account: Account,
  message: proto.IMessage,
  options: SendOptions = {},
): Promise<SentMessage> {
  const id = newMessageId();
  const hold = options.hold ?? false;
  const out: Outgoing = {
    ctx,
    sender,
    account,
    id,
    plain: Buffer.from(encodeWAMessage(message)),
    attrs: { from: sender.jid, id, t: unixSeconds(), type: stanzaType(message), ...sender.attrs },
    mediaType: mediaTypeOf(message),
  };
  const devices = options.devices ?? linkedDevices(account);
  const copies = devices.map((device): DeviceCopy => ({
    device: device.device,
    encType: null,
    state: hold ? 'held' : 'queued',
    receipts: [],
  }));
  const record = ctx.messages.addSent({
    id,
    party: sender.party,
    to: account.phone,
    contentType: getContentType(message) ?? null,
    text: messageText(message),
    message: messageJson(message),
    media: options.media ?? null,
    held: hold,
    copies,
  });
  for (const [index, device] of devices.entries()) {
    const copy = copies[index] as DeviceCopy;
    const address = companionAddress(account, device.device);
    if (device.preKeys.size === 0 && !sender.signal.hasSession(address)) {
      device.awaitingKeys.push(() => encryptCopy(out, device, copy, false));
    } else {
      await encryptCopy(out, device, copy, hold);
    }
  }
  return record;
}

/** Encrypts the copies that waited for the device's pre-keys, in the order they were sent. */
export async function releaseAwaitingKeys(device: Device): Promise<void> {
  while (device.awaitingKeys.length > 0) {
    await (device.awaitingKeys.shift() as () => Promise<void>)();
  }
}
