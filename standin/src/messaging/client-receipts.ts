import type { StandinContext } from '../context.js';
import { ackReceipt } from '../session/answers/stanzas.js';
import type { UpstreamConnection } from '../session/connection.js';
import { child, childrenOf, unixSeconds, type BinaryNode } from '../wire/nodes.js';
import { accountDeviceJid } from './addresses.js';
import type { CopyState } from './log.js';

/** How far a receipt type takes a copy; others (`sender`, `hist_sync`) only add to its list. */
const RECEIPT_STATES: Readonly<Record<string, CopyState>> = {
  delivery: 'delivered',
  inactive: 'delivered',
  peer_msg: 'delivered',
  read: 'read',
  'read-self': 'read',
  played: 'read',
};

function receiptIds(node: BinaryNode): string[] {
  const ids = node.attrs.id === undefined ? [] : [node.attrs.id];
  for (const item of childrenOf(child(node, 'list'), 'item')) {
    if (item.attrs.id !== undefined) ids.push(item.attrs.id);
  }
  return ids;
}

/** Carries a companion's receipt back to the companion whose message it answers. */
function relayToDevice(
  ctx: StandinContext,
  connection: UpstreamConnection,
  origin: { account: string; device: number },
  id: string,
  type: string,
): void {
  const sender = ctx.accounts.get(origin.account);
  const device = sender?.devices.get(origin.device);
  const account = connection.account;
  if (!sender || !device || !account || account === sender || connection.device === null) return;
  const attrs: Record<string, string> = {
    from: accountDeviceJid(account, connection.device),
    id,
    t: unixSeconds(),
  };
  if (type !== 'delivery') attrs.type = type;
  ctx.delivery.post(sender, device, {
    key: `receipt:${id}:${type}`,
    stanza: { tag: 'receipt', attrs },
  });
}

/**
 * `<receipt>` from a client: the server acks it; it confirms the messages
 * it names (they leave the device's mailbox), and goes back to whoever sent
 * them: a simulated device records it on its copy, a companion gets it
 * delivered. A `retry` receipt means the client could not decrypt what the
 * stand-in carried: a recorded failure.
 */
export function handleClientReceipt(node: BinaryNode, connection: UpstreamConnection): void {
  ackReceipt(node, connection);
  const { ctx, account } = connection;
  const deviceNo = connection.device;
  const device = deviceNo === null ? undefined : account?.devices.get(deviceNo);
  if (!account || !device || deviceNo === null) return;
  const type = node.attrs.type ?? 'delivery';
  for (const id of receiptIds(node)) {
    device.mailbox.settle(`message:${id}`);
    const origin = ctx.messages.origin(id);
    if (type === 'retry') {
      const retry = child(node, 'retry');
      ctx.messages.addFailure({
        party: origin?.kind === 'party' ? origin.party : null,
        account: account.phone,
        device: deviceNo,
        messageId: id,
        stage: 'client-retry',
        reason:
          'the client could not decrypt it ' +
          `(retry count ${retry?.attrs.count ?? '?'}, error ${retry?.attrs.error ?? '?'})`,
      });
    }
    if (origin?.kind === 'device') {
      relayToDevice(ctx, connection, origin, id, type);
      continue;
    }
    const copy = ctx.messages.sentMessage(id)?.copies.find((item) => item.device === deviceNo);
    if (!copy) continue;
    copy.receipts.push({ type, time: new Date().toISOString() });
    const next = RECEIPT_STATES[type] ?? (type === 'retry' ? 'failed' : undefined);
    if (next && !(next === 'delivered' && copy.state === 'read')) copy.state = next;
  }
}

/**
 * `<ack>` from a client confirms a receipt or notification the server
 * delivered; for a message, an ack is a refusal (its `error` code says why).
 */
export function handleClientAck(node: BinaryNode, connection: UpstreamConnection): void {
  const { ctx, account } = connection;
  const deviceNo = connection.device;
  const device = deviceNo === null ? undefined : account?.devices.get(deviceNo);
  const id = node.attrs.id;
  if (!account || !device || deviceNo === null || id === undefined) return;
  const kind = node.attrs.class;
  if (kind === 'receipt') {
    device.mailbox.settle(`receipt:${id}:${node.attrs.type ?? 'delivery'}`);
  } else if (kind === 'notification') {
    device.mailbox.settle(`notification:${id}`);
  } else if (kind === 'message') {
    device.mailbox.settle(`message:${id}`);
    if (node.attrs.error !== undefined) {
      const origin = ctx.messages.origin(id);
      ctx.messages.addFailure({
        party: origin?.kind === 'party' ? origin.party : null,
        account: account.phone,
        device: deviceNo,
        messageId: id,
        stage: 'client-nack',
        reason: `the client refused it with error ${node.attrs.error}`,
      });
      const copy = ctx.messages.sentMessage(id)?.copies.find((item) => item.device === deviceNo);
      if (copy) copy.state = 'failed';
    }
  }
}
