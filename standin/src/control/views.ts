import { deviceJid, deviceLid, type Account } from '../accounts/store.js';
import { contactJid, contactLid, type Contact } from '../contacts/store.js';
import type { StandinContext } from '../context.js';
import type { AccountFaults } from '../faults.js';
import { phoneParty } from '../messaging/addresses.js';
import type { ReceivedMessage, SentMessage } from '../messaging/log.js';
import type { MailCounts } from '../messaging/mailbox.js';
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
  /**
   * Stanzas the server keeps for the device: held for its next login, queued,
   * or sent and not yet confirmed.
   */
  readonly mailbox: MailCounts;
  /** Copies waiting for the device's first pre-key upload before they can be encrypted. */
  readonly awaitingKeys: number;
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
      mailbox: device.mailbox.counts(),
      awaitingKeys: device.awaitingKeys.length,
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

export interface ContactView {
  readonly phone: string;
  readonly jid: string;
  readonly lid: string;
  readonly name: string;
  readonly readReceipts: boolean;
  /** The contact's Signal identity key, 32 bytes in base64. */
  readonly identityKey: string;
  readonly registrationId: number;
  /** Messages it decrypted, and messages it sent. */
  readonly received: number;
  readonly sent: number;
}

export function contactView(ctx: StandinContext, contact: Contact): ContactView {
  return {
    phone: contact.phone,
    jid: contactJid(contact),
    lid: contactLid(contact),
    name: contact.name,
    readReceipts: contact.readReceipts,
    identityKey: contact.signal.identityKey.toString('base64'),
    registrationId: contact.signal.registrationId,
    received: ctx.messages.receivedBy(contact.party).length,
    sent: ctx.messages.sentBy(contact.party).length,
  };
}

/** An account's phone as a Signal device: what it decrypted and sent, and its app state. */
export interface PhoneView {
  readonly party: string;
  readonly identityKey: string;
  readonly received: readonly ReceivedMessage[];
  readonly sent: readonly SentMessage[];
  readonly appState: { readonly keyId: string; readonly versions: Record<string, number> };
}

export function phoneView(ctx: StandinContext, account: Account): PhoneView {
  const party = phoneParty(account);
  return {
    party,
    identityKey: account.phoneParty.identityKey.toString('base64'),
    received: ctx.messages.receivedBy(party),
    sent: ctx.messages.sentBy(party),
    appState: {
      keyId: account.appState.key.keyId.toString('base64'),
      versions: account.appState.versions(),
    },
  };
}
