import { jidDecode } from '@whiskeysockets/baileys';
import type { Account, Device } from '../accounts/store.js';
import type { Contact } from '../contacts/store.js';
import type { StandinContext } from '../context.js';

/** Who a device JID names: a simulated contact, an account's phone, or a linked companion. */
export type Recipient =
  | { readonly kind: 'contact'; readonly contact: Contact }
  | { readonly kind: 'phone'; readonly account: Account }
  | { readonly kind: 'companion'; readonly account: Account; readonly device: Device };

/**
 * Resolves a user or device JID in either addressing (`1555…[:n]@s.whatsapp.net`
 * or `LID[:n]@lid`). Device 0 is the phone; a contact has only its phone.
 */
export function resolveDevice(ctx: StandinContext, jid: string): Recipient | null {
  const decoded = jidDecode(jid);
  if (!decoded?.user) return null;
  const device = decoded.device ?? 0;
  const byLid = decoded.server === 'lid';
  if (!byLid && decoded.server !== 's.whatsapp.net') return null;
  const contact = byLid ? ctx.contacts.byLid(decoded.user) : ctx.contacts.get(decoded.user);
  if (contact) return device === 0 ? { kind: 'contact', contact } : null;
  const account = byLid ? ctx.accounts.byLid(decoded.user) : ctx.accounts.get(decoded.user);
  if (!account) return null;
  if (device === 0) return { kind: 'phone', account };
  const companion = account.devices.get(device);
  return companion && companion.removedAt === null
    ? { kind: 'companion', account, device: companion }
    : null;
}

/** A companion as its peers' Signal sessions name it: the LID user, domain 1, and device. */
export function companionAddress(account: Account, device: number): string {
  return `${account.lid}_1.${device}`;
}

/** The PN JID of an account's device, as the `from` of what it sends (device 0: no suffix). */
export function accountDeviceJid(account: Account, device: number): string {
  return device === 0
    ? `${account.phone}@s.whatsapp.net`
    : `${account.phone}:${device}@s.whatsapp.net`;
}

/** How the message log names an account's phone. */
export function phoneParty(account: Account): string {
  return `phone:${account.phone}`;
}
