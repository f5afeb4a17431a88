import { bundleFor, bundleNode } from '../../messaging/bundles.js';
import { child, childrenOf, iqResult, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/**
 * `<iq xmlns='encrypt' type='get'><key><user jid/>…`: the key bundles a
 * client needs to open Signal sessions: a contact's or a phone's from the
 * simulated device, a companion's from what it uploaded (each one-time
 * pre-key given out once). The answer names each bundle by the JID asked
 * for, which is where Baileys stores the session. Unknown devices are left
 * out: a per-user error would fail the whole batch in Baileys.
 */
export function answerKeyFetch(node: BinaryNode, connection: UpstreamConnection): void {
  const users = childrenOf(child(node, 'key'), 'user');
  const list: BinaryNode[] = [];
  for (const user of users) {
    const jid = user.attrs.jid;
    const bundle = jid === undefined ? null : bundleFor(connection.ctx, jid);
    if (jid !== undefined && bundle) list.push(bundleNode(jid, bundle));
  }
  connection.send(iqResult(node, [{ tag: 'list', attrs: {}, content: list }]));
}
