import { deviceJid, deviceLid, type Account } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import type { AccountFaults } from '../faults.js';
import type { LoginRecord, OpenSample, RegistrationRecord } from '../records.js';

export interface DeviceView {
  readonly device: number;
  readonly jid: string;
  readonly lid: string;
  readonly keyIndex: number;
  readonly platform: string;
  readonly pairedAt: string;
  readonly removedAt: string | null;
  /** One-time pre-keys uploaded and not yet handed out. */
  readonly preKeys: number;
}

export interface AccountView {
  readonly phone: string;
  readonly jid: string;
  readonly lid: string;
  readonly name: string | null;
  readonly devices: readonly DeviceView[];
  readonly logins: readonly LoginRecord[];
  readonly registrations: readonly RegistrationRecord[];
  /** Upstream connections of this account open now, the most ever open at once, and each change. */
  readonly open: number;
  readonly peakOpen: number;
  readonly openTimeline: readonly OpenSample[];
  /** The faults set for this account itself (`*` faults are listed under `GET /faults`). */
  readonly faults: AccountFaults;
  readonly heldAcks: number;
}

export function accountView(ctx: StandinContext, account: Account): AccountView {
  const snapshot = ctx.records.snapshot(Number.MAX_SAFE_INTEGER);
  const open = ctx.records.openCount(account.phone);
  const heldAcks = ctx.connections
    .forAccount(account.phone)
    .reduce((sum, connection) => sum + connection.heldAcks.length, 0);
  return {
    phone: account.phone,
    jid: `${account.phone}@s.whatsapp.net`,
    lid: `${account.lid}@lid`,
    name: account.name,
    devices: [...account.devices.values()].map((device) => ({
      device: device.device,
      jid: deviceJid(account, device.device),
      lid: deviceLid(account, device.device),
      keyIndex: device.keyIndex,
      platform: device.platform,
      pairedAt: device.pairedAt,
      removedAt: device.removedAt,
      preKeys: device.preKeys.size,
    })),
    logins: snapshot.logins.filter((login) => login.account === account.phone),
    registrations: snapshot.registrations.filter((item) => item.account === account.phone),
    open: open.open,
    peakOpen: open.peak,
    openTimeline: open.timeline,
    faults: ctx.faults.ownAccount(account.phone),
    heldAcks,
  };
}
