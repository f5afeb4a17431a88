import { jidDecode } from '@whiskeysockets/baileys';
import type { Account } from '../../accounts/store.js';
import { child, childrenOf, iqResult, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/** The device list of an account: the phone (0) and every companion still linked. */
function deviceList(account: Account): BinaryNode {
  const devices: BinaryNode[] = [{ tag: 'device', attrs: { id: '0' } }];
  for (const device of account.devices.values()) {
    if (device.removedAt !== null) continue;
    devices.push({
      tag: 'device',
      attrs: { id: String(device.device), 'key-index': String(device.keyIndex) },
    });
  }
  return {
    tag: 'devices',
    attrs: {},
    content: [{ tag: 'device-list', attrs: {}, content: devices }],
  };
}

function answerUser(user: BinaryNode, protocols: string[], account: Account | undefined) {
  const content: BinaryNode[] = [];
  for (const protocol of protocols) {
    if (protocol === 'devices') {
      content.push(
        account
          ? deviceList(account)
          : { tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {} }] },
      );
    } else if (protocol === 'lid' && account) {
      content.push({ tag: 'lid', attrs: { val: `${account.lid}@lid` } });
    } else if (protocol === 'contact') {
      content.push({ tag: 'contact', attrs: { type: account ? 'in' : 'out' } });
    }
  }
  return { tag: 'user', attrs: { jid: user.attrs.jid ?? '' }, content };
}

/**
 * `<iq xmlns='usync' type='get'>`: answers for the stand-in's own accounts
 * (devices, LID, contact); other users come back with no devices. The reply
 * must be `type='result'` or Baileys discards it.
 */
export function answerUsync(node: BinaryNode, connection: UpstreamConnection): void {
  const usync = child(node, 'usync');
  const protocols = childrenOf(child(usync, 'query')).map((item) => item.tag);
  const users = childrenOf(child(usync, 'list'), 'user').map((user) => {
    const phone = jidDecode(user.attrs.jid ?? '')?.user;
    const account = phone === undefined ? undefined : connection.ctx.accounts.get(phone);
    return answerUser(user, protocols, account);
  });
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
