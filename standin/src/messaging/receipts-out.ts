import { linkedDevices } from '../accounts/store.js';
import type { Contact } from '../contacts/store.js';
import type { StandinContext } from '../context.js';
import { unixSeconds } from '../wire/nodes.js';
import type { Delivered } from './party-inbox.js';

/**
 * A contact's receipt for a message a client sent it, carried to every
 * linked device of the sending account (queued for those that are away).
 * It comes from the chat as the sender addressed it, as the real service
 * sends it.
 */
export function sendContactReceipt(
  ctx: StandinContext,
  contact: Contact,
  item: Delivered,
  type: 'delivery' | 'read',
): void {
  const id = item.stanza.attrs.id;
  if (id === undefined) return;
  const from = item.stanza.attrs.to ?? `${contact.phone}@s.whatsapp.net`;
  const attrs: Record<string, string> = { from, id, t: unixSeconds() };
  if (type === 'read') attrs.type = 'read';
  for (const device of linkedDevices(item.sender)) {
    ctx.delivery.post(item.sender, device, {
      key: `receipt:${id}:${type}`,
      stanza: { tag: 'receipt', attrs },
    });
  }
}
