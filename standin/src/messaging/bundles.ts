import { takePreKey, type Account, type Device } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import type { PreKeyBundle } from '../signal/party.js';
import { SERVER_JID, unixSeconds, type BinaryNode } from '../wire/nodes.js';
import { resolveDevice } from './addresses.js';

/** Below this many one-time pre-keys a companion is told to upload more (Baileys' own floor). */
const PRE_KEY_LOW = 5;

function bigEndian(value: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  out.writeUIntBE(value, 0, bytes);
  return out;
}

/**
 * A companion's bundle as the server hands it out: what the device uploaded,
 * with its lowest unused one-time pre-key, which is then gone. When few are
 * left, a connected device is told to upload more, as the real server does.
 */
export function companionBundle(
  ctx: StandinContext,
  account: Account,
  device: Device,
): PreKeyBundle {
  const preKey = takePreKey(device);
  if (device.preKeys.size < PRE_KEY_LOW) {
    const online = ctx.delivery.online(account, device);
    online?.send({
      tag: 'notification',
      attrs: { from: SERVER_JID, type: 'encrypt', id: ctx.delivery.stanzaId(), t: unixSeconds() },
      content: [{ tag: 'count', attrs: { value: String(device.preKeys.size) } }],
    });
  }
  return {
    registrationId: device.registrationId,
    identityKey: device.identityKey,
    signedPreKey: device.signedPreKey,
    preKey,
  };
}

/** The bundle of whatever device a JID names, or null for a device nobody knows. */
export function bundleFor(ctx: StandinContext, jid: string): PreKeyBundle | null {
  const recipient = resolveDevice(ctx, jid);
  if (!recipient) return null;
  if (recipient.kind === 'contact') return recipient.contact.signal.bundle();
  if (recipient.kind === 'phone') return recipient.account.phoneParty.bundle();
  return companionBundle(ctx, recipient.account, recipient.device);
}

/** `<user jid>` with registration, key type, identity, signed pre-key and one-time pre-key. */
export function bundleNode(jid: string, bundle: PreKeyBundle): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'registration', attrs: {}, content: bigEndian(bundle.registrationId, 4) },
    { tag: 'type', attrs: {}, content: Buffer.from([5]) },
    { tag: 'identity', attrs: {}, content: bundle.identityKey },
    {
      tag: 'skey',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: bigEndian(bundle.signedPreKey.id, 3) },
        { tag: 'value', attrs: {}, content: bundle.signedPreKey.publicKey },
        { tag: 'signature', attrs: {}, content: bundle.signedPreKey.signature },
      ],
    },
  ];
  if (bundle.preKey) {
    content.push({
      tag: 'key',
      attrs: {},
      content: [
        { tag: 'id', attrs: {}, content: bigEndian(bundle.preKey.id, 3) },
        { tag: 'value', attrs: {}, content: bundle.preKey.publicKey },
      ],
    });
  }
  return { tag: 'user', attrs: { jid }, content };
}
