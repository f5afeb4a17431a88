import { randomBytes } from 'node:crypto';
import type { proto } from '@whiskeysockets/baileys';
import { deviceLid } from '../accounts/store.js';
import { SERVER_JID, unixSeconds, type BinaryNode } from '../wire/nodes.js';
import { welcome } from './after-login.js';
import type { UpstreamConnection } from './connection.js';
import { scheduleRefs } from './registrations.js';
import { conflictNode } from './stream-errors.js';

/** Routes a decoded ClientPayload: pairing data means a new device, a username a login. */
export function handleClientPayload(connection: UpstreamConnection, payload: proto.ClientPayload) {
  if (payload.devicePairingData) {
    startRegistration(connection, payload.devicePairingData);
  } else if (payload.username !== null && payload.username !== undefined) {
    login(connection, String(payload.username), payload.device ?? 0);
  } else {
    connection.drop('protocol-error payload is neither registration nor login');
  }
}

function startRegistration(
  connection: UpstreamConnection,
  pairingData: proto.ClientPayload.IDevicePairingRegistrationData,
): void {
  const { options, registrations, records } = connection.ctx;
  connection.record.kind = 'registration';
  const refs = scheduleRefs(options.qrRefCount, options.qrFirstRefMs, options.qrNextRefMs);
  registrations.add({ connection, pairingData, refs, linkCode: null, pairing: false });
  records.registration(connection.record.id).refsHandedOut = refs.length;
  connection.send({
    tag: 'iq',
    attrs: { from: SERVER_JID, type: 'set', id: randomBytes(6).toString('hex'), xmlns: 'md' },
    content: [
      {
        tag: 'pair-device',
        attrs: {},
        content: refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref.ref) })),
      },
    ],
  });
}

function failure(reason: number): BinaryNode {
  return { tag: 'failure', attrs: { reason: String(reason), location: 'standin' } };
}

function login(connection: UpstreamConnection, phone: string, device: number): void {
  const { accounts, records, faults, connections } = connection.ctx;
  connection.record.kind = 'login';
  const account = accounts.get(phone);
  const paired = account?.devices.get(device);
  const refuse = (reason: number, why: string): void => {
    records.addLogin({
      connection: connection.record.id,
      account: phone,
      device,
      result: `failure ${reason} (${why})`,
    });
    connection.endWith(failure(reason), `failure ${reason}`);
  };
  // A device the stand-in never paired, or one removed since, is logged out: the
  // client must pair again (Baileys maps reason 401 to DisconnectReason.loggedOut).
  if (!account || !paired) return refuse(401, 'unknown device');
  records.attach(connection.record, phone, device);
  if (paired.removedAt !== null) return refuse(401, 'device removed');
  if (!connection.clientStatic || !paired.noiseKey.equals(connection.clientStatic)) {
    return refuse(401, 'noise key is not the one bound at pairing');
  }
  const injected = faults.forAccount(phone).loginFailure;
  if (injected !== null) return refuse(injected, 'injected');

  // The real service keeps one socket per device: the newer login replaces the older.
  for (const other of connections.forAccount(phone)) {
    if (other !== connection && other.device === device && other.phase === 'ready') {
      other.endWith(conflictNode(), 'replaced');
    }
  }
  connection.account = account;
  connection.device = device;
  connection.phase = 'ready';
  records.addLogin({ connection: connection.record.id, account: phone, device, result: 'success' });
  connection.send({
    tag: 'success',
    attrs: {
      t: unixSeconds(),
      lid: deviceLid(account, device),
      location: 'standin',
      creation: String(Math.floor(Date.parse(paired.pairedAt) / 1000)),
    },
  });
  welcome(connection);
}
