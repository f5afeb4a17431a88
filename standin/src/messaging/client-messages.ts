import type { Account, Device } from '../accounts/store.js';
import type { StandinContext } from '../context.js';
import { ackMessage } from '../session/answers/stanzas.js';
import type { UpstreamConnection } from '../session/connection.js';
import { child, childrenOf, unixSeconds, type BinaryNode } from '../wire/nodes.js';
import { accountDeviceJid, resolveDevice } from './addresses.js';
import { receiveAtParty } from './party-inbox.js';

/** Each encrypted copy in a client's message and the device JID it is for. */
function copies(node: BinaryNode): { jid: string; enc: BinaryNode }[] {
  const participants = child(node, 'participants');
  if (participants) {
    return childrenOf(participants, 'to').flatMap((to) => {
      const enc = child(to, 'enc');
      return enc && to.attrs.jid ? [{ jid: to.attrs.jid, enc }] : [];
    });
  }
  // A peer message (to the sender's own phone) carries its one copy directly.
  const to = node.attrs.to;
  return to ? childrenOf(node, 'enc').map((enc) => ({ jid: to, enc })) : [];
}

/**
 * A client's copy for another companion: delivered as that device receives
 * messages, from the sending device's JID. A copy for a device of the
 * sender's own account names the chat it belongs to as `recipient`.
 */
function forward(
  ctx: StandinContext,
  sender: Account,
  senderDevice: number,
  node: BinaryNode,
  target: { account: Account; device: Device },
  enc: BinaryNode,
): void {
  const id = node.attrs.id as string;
  const attrs: Record<string, string> = {
    from: accountDeviceJid(sender, senderDevice),
    id,
    t: node.attrs.t ?? unixSeconds(),
    type: node.attrs.type ?? 'text',
  };
  if (target.account === sender) {
    if (node.attrs.to) attrs.recipient = node.attrs.to;
  } else {
    attrs.notify = sender.pushName;
    attrs.sender_lid = `${sender.lid}@lid`;
  }
  if (node.attrs.category) attrs.category = node.attrs.category;
  const identity = child(node, 'device-identity');
  ctx.messages.setOrigin(id, { kind: 'device', account: sender.phone, device: senderDevice });
  ctx.delivery.post(target.account, target.device, {
    key: `message:${id}`,
    stanza: { tag: 'message', attrs, content: identity ? [enc, identity] : [enc] },
  });
}

/**
 * `<message>` from a client: the server acks it (subject to the `holdAcks`
 * fault), then carries each encrypted copy to the device it is for: a
 * simulated contact or phone decrypts it, a companion gets it delivered or
 * queued. A copy for a device nobody knows is a recorded failure.
 */
export async function handleClientMessage(node: BinaryNode, connection: UpstreamConnection) {
  ackMessage(node, connection);
  const { ctx, account } = connection;
  const device = connection.device;
  const id = node.attrs.id;
  if (!account || device === null || id === undefined) return;
  const work: Promise<void>[] = [];
  for (const { jid, enc } of copies(node)) {
    const recipient = resolveDevice(ctx, jid);
    const delivered = { sender: account, senderDevice: device, stanza: node, enc };
    if (recipient?.kind === 'contact' || recipient?.kind === 'phone') {
      work.push(receiveAtParty(ctx, recipient, delivered));
    } else if (recipient?.kind === 'companion') {
      forward(ctx, account, device, node, recipient, enc);
    } else {
      ctx.messages.addFailure({
        party: null,
        account: account.phone,
        device,
        messageId: id,
        stage: 'unroutable',
        reason: `no known device ${jid}`,
      });
    }
  }
  // Simulated devices work in the background: the client's next stanza must not wait on them.
  void Promise.allSettled(work);
}
