import { createHmac, randomInt } from 'node:crypto';
import {
  proto,
  WA_ADV_ACCOUNT_SIG_PREFIX,
  WA_ADV_DEVICE_SIG_PREFIX,
} from '@whiskeysockets/baileys';
import { deviceJid, deviceLid, type Account } from '../accounts/store.js';
import { xeddsaSign, xeddsaVerify } from '../noise/keys.js';
import { child, contentBytes, SERVER_JID, unixSeconds, type BinaryNode } from '../wire/nodes.js';

/** What the phone signs for a new companion. */
export interface SignedIdentity {
  /** Serialized `ADVDeviceIdentity`. */
  readonly details: Buffer;
  /** Serialized `ADVSignedDeviceIdentityHMAC`: the `<device-identity>` content. */
  readonly hmacWrapped: Buffer;
}

/**
 * Builds the device identity the phone hands a new companion: the identity
 * details signed with the account's own key over the companion's identity
 * key (`06 00` prefix), wrapped with an HMAC keyed by the ADV secret the
 * phone learned from the QR code or the pairing-code exchange.
 */
export function signDeviceIdentity(
  account: Account,
  keyIndex: number,
  companionIdentity: Buffer,
  advSecret: Buffer,
): SignedIdentity {
  const details = Buffer.from(
    proto.ADVDeviceIdentity.encode({
      rawId: randomInt(1, 2 ** 31),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex,
      accountType: proto.ADVEncryptionType.E2EE,
      deviceType: proto.ADVEncryptionType.E2EE,
    }).finish(),
  );
  const accountSignature = xeddsaSign(
    account.identity.private,
    Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, companionIdentity]),
  );
  const signed = Buffer.from(
    proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: account.identity.public,
      accountSignature,
    }).finish(),
  );
  const hmac = createHmac('sha256', advSecret).update(signed).digest();
  const hmacWrapped = Buffer.from(
    proto.ADVSignedDeviceIdentityHMAC.encode({
      details: signed,
      hmac,
      accountType: proto.ADVEncryptionType.E2EE,
    }).finish(),
  );
  return { details, hmacWrapped };
}

/** The `<iq><pair-success>` stanza telling a companion which account and device it now is. */
export function pairSuccessNode(
  id: string,
  account: Account,
  device: number,
  keyIndex: number,
  identity: SignedIdentity,
): BinaryNode {
  const content: BinaryNode[] = [
    {
      tag: 'device-identity',
      attrs: { 'key-index': String(keyIndex) },
      content: identity.hmacWrapped,
    },
    // smba: WhatsApp Business on Android, what a restaurant's phone usually runs.
    { tag: 'platform', attrs: { name: account.name === null ? 'android' : 'smba' } },
    { tag: 'device', attrs: { jid: deviceJid(account, device), lid: deviceLid(account, device) } },
  ];
  if (account.name !== null) content.push({ tag: 'biz', attrs: { name: account.name } });
  return {
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', id, xmlns: 'md', t: unixSeconds() },
    content: [{ tag: 'pair-success', attrs: {}, content }],
  };
}

/**
 * Checks the companion's `<pair-device-sign>` reply: the same identity
 * details, and a device signature by the companion's identity key over
 * `06 01 ‖ details ‖ companion identity ‖ account key`. Returns why not, or null.
 */
export function checkPairDeviceSign(
  reply: BinaryNode,
  account: Account,
  companionIdentity: Buffer,
  sent: SignedIdentity,
): string | null {
  if (reply.attrs.type !== 'result') return `reply type is ${reply.attrs.type ?? 'missing'}`;
  const bytes = contentBytes(child(child(reply, 'pair-device-sign'), 'device-identity'));
  if (!bytes) return 'reply has no pair-device-sign/device-identity';
  let signed: proto.ADVSignedDeviceIdentity;
  try {
    signed = proto.ADVSignedDeviceIdentity.decode(bytes);
  } catch {
    return 'device-identity is not an ADVSignedDeviceIdentity';
  }
  const details = signed.details ? Buffer.from(signed.details) : Buffer.alloc(0);
  if (!details.equals(sent.details)) return 'device identity details were changed';
  if (!signed.deviceSignature) return 'device signature missing';
  const message = Buffer.concat([
    WA_ADV_DEVICE_SIG_PREFIX,
    details,
    companionIdentity,
    account.identity.public,
  ]);
  if (!xeddsaVerify(companionIdentity, message, signed.deviceSignature)) {
    return 'device signature does not verify with the companion identity key';
  }
  return null;
}
