import { randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import { deviceJid, deviceLid, type Account, type Device } from '../accounts/store.js';
import { StandinError } from '../errors.js';
import { noticeDeviceChange } from '../messaging/device-notice.js';
import { Mailbox } from '../messaging/mailbox.js';
import type { PendingRegistration } from '../session/registrations.js';
import { streamErrorNode } from '../session/stream-errors.js';
import { checkPairDeviceSign, pairSuccessNode, signDeviceIdentity } from './device-identity.js';

export interface PairedDevice {
  readonly phone: string;
  readonly jid: string;
  readonly lid: string;
  readonly device: number;
  readonly method: 'qr' | 'code';
  /** The upstream connection that was paired (it then gets the 515 restart). */
  readonly connection: string;
}

function bigEndian(bytes: Uint8Array | null | undefined): number {
  return bytes && bytes.length > 0 ? Buffer.from(bytes).readUIntBE(0, bytes.length) : 0;
}

function platformOf(pairingData: proto.ClientPayload.IDevicePairingRegistrationData): string {
  if (!pairingData.deviceProps) return 'unknown';
  try {
    const props = proto.DeviceProps.decode(pairingData.deviceProps);
    const type = proto.DeviceProps.PlatformType[props.platformType ?? 0] ?? 'UNKNOWN';
    return `${props.os ?? 'unknown'} ${type}`;
  } catch {
    return 'unknown';
  }
}

/**
 * The phone's side of linking a new companion, once it knows the ADV
 * secret and the companion's identity: pair-success with a device identity
 * signed by the account key, the companion's signed reply checked, the
 * device stored with the noise key its logins must present, then the 515
 * restart the real service sends after pairing.
 */
export async function completePairing(
  registration: PendingRegistration,
  account: Account,
  companionIdentity: Buffer,
  advSecret: Buffer,
  method: 'qr' | 'code',
): Promise<PairedDevice> {
  const { connection } = registration;
  const { ctx } = connection;
  if (connection.phase !== 'registering' || !connection.clientStatic) {
    throw new StandinError('pairing_failed', 'the companion connection is no longer registering', {
      connection: connection.record.id,
    });
  }
  registration.pairing = true;
  const device = account.nextDevice++;
  const keyIndex = account.nextKeyIndex++;
  const identity = signDeviceIdentity(account, keyIndex, companionIdentity, advSecret);
  const id = randomBytes(6).toString('hex');
  const reply = connection.expectReply(id, ctx.options.pairingReplyTimeoutMs);
  connection.send(pairSuccessNode(id, account, device, keyIndex, identity));
  let problem: string | null;
  try {
    problem = checkPairDeviceSign(await reply, account, companionIdentity, identity);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  if (problem !== null) {
    registration.pairing = false;
    throw new StandinError('pairing_failed', problem, { connection: connection.record.id });
  }
  const data = registration.pairingData;
  const linked: Device = {
    device,
    keyIndex,
    noiseKey: connection.clientStatic,
    identityKey: companionIdentity,
    registrationId: bigEndian(data.eRegid),
    signedPreKey: {
      id: bigEndian(data.eSkeyId),
      publicKey: Buffer.from(data.eSkeyVal ?? []),
      signature: Buffer.from(data.eSkeySig ?? []),
    },
    preKeys: new Map(),
    platform: platformOf(data),
    pairedAt: new Date().toISOString(),
    removedAt: null,
    mailbox: new Mailbox(),
    initialSyncPending: true,
    awaitingKeys: [],
  };
  account.devices.set(device, linked);
  noticeDeviceChange(ctx, account, 'add', linked);
  ctx.records.attach(connection.record, account.phone, device);
  const record = ctx.records.registration(connection.record.id);
  record.account = account.phone;
  record.device = device;
  record.method = method;
  record.result = 'paired';
  ctx.registrations.remove(connection);
  connection.endWith(streamErrorNode(515), 'stream-error 515');
  return {
    phone: account.phone,
    jid: deviceJid(account, device),
    lid: deviceLid(account, device),
    device,
    method,
    connection: connection.record.id,
  };
}
