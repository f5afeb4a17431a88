import { linkedDevices, type Account, type Device } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import { unixSeconds } from '../wire/nodes.js';
import { accountDeviceJid } from './addresses.js';

/**
 * Tells the account's other companions that a device was linked or removed
 * (`<notification type='devices'>`), as the real service does. Baileys keeps
 * device lists for five minutes; without this a companion would not copy its
 * messages to a device linked meanwhile.
 */
export function noticeDeviceChange(
  ctx: StandinContext,
  account: Account,
  change: 'add' | 'remove',
  changed: Device,
): void {
  for (const device of linkedDevices(account)) {
    if (device === changed) continue;
    const id = ctx.delivery.stanzaId();
    ctx.delivery.post(account, device, {
      key: `notification:${id}`,
      stanza: {
        tag: 'notification',
        attrs: { from: `${account.phone}@s.whatsapp.net`, type: 'devices', id, t: unixSeconds() },
        content: [
          {
            tag: change,
            attrs: {},
            content: [
              {
                tag: 'device',
                attrs: {
                  jid: accountDeviceJid(account, changed.device),
                  'key-index': String(changed.keyIndex),
                },
              },
            ],
          },
        ],
      },
    });
  }
}
