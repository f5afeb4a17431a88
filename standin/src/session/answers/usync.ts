import { jidDecode } from '@whiskeysockets/baileys';
import type { Account } from '../../accounts/store.js';
import type { StandinContext } from '../../context.js';
import { child, childrenOf, iqResult, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/** A user the stand-in knows: its LID and the devices a message to it fans out to. */
interface KnownUser {
  readonly lid: string;
  readonly devices: BinaryNode[];
}

/** An account's devices: the phone (0) and every companion still linked (with its key index). */
function accountDevices(account: Account): BinaryNode[] {
  const devices: BinaryNode[] = [{ tag: 'device', attrs: { id: '0' } }];
  for (const device of account.devices.values()) {
    if (device.removedAt !== null) continue;
    devices.push({
      tag: 'device',
      attrs: { id: String(device.device), 'key-index': String(device.keyIndex) },
    });
  }
  return devices;
}

function lookUp(ctx: StandinContext, jid: string): KnownUser | undefined {
  const decoded = jidDecode(jid);
  if (!decoded?.user) return undefined;
  const byLid = decoded.server === 'lid';
  const contact = byLid ? ctx.contacts.byLid(decoded.user) : ctx.contacts.get(decoded.user);
  // A contact is one phone: device 0 only.
  if (contact) return { lid: contact.lid, devices: [{ tag: 'device', attrs: { id: '0' } }] };
  const account = byLid ? ctx.accounts.byLid(decoded.user) : ctx.accounts.get(decoded.user);
  return account ? { lid: account.lid, devices: accountDevices(account) } : undefined;
}

function answerUser(user: BinaryNode, protocols: string[], known: KnownUser | undefined) {
  const jid = user.attrs.jid ?? '';
  const content: BinaryNode[] = [];
  for (const protocol of protocols) {
    if (protocol === 'devices') {
      content.push({
        tag: 'devices',
        attrs: {},
        content: [{ tag: 'device-list', attrs: {}, content: known?.devices ?? [] }],
      });
    } else if (protocol === 'lid' && known && !jid.endsWith('@lid')) {
      content.push({ tag: 'lid', attrs: { val: `${known.lid}@lid` } });
    } else if (protocol === 'contact') {
      content.push({ tag: 'contact', attrs: { type: known ? 'in' : 'out' } });
    }
  }
  return { tag: 'user', attrs: { jid }, content };
}

/**
 * `<iq xmlns='usync' type='get'>`: devices, LID and contact status for the
 * stand-in's accounts and simulated contacts; anyone else comes back with no
 * devices. Baileys needs a LID for every user it encrypts for. The reply
 * must be `type='result'` or Baileys discards it.
 */
export function answerUsync(node: BinaryNode, connection: UpstreamConnection): void {
  const usync = child(node, 'usync');
  const protocols = childrenOf(child(usync, 'query')).map((item) => item.tag);
  const users = childrenOf(child(usync, 'list'), 'user').map((user) =>
    answerUser(user, protocols, lookUp(connection.ctx, user.attrs.jid ?? '')),
  );
  connection.send(
    iqResult(node, [
      {
        tag: 'usync',
        attrs: { ...(usync?.attrs ?? {}) },
        content: [
          { tag: 'result', attrs: {} },
          { tag: 'list', attrs: {}, content: users },
        ],
      },
    ]),
  );
}
