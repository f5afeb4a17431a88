import { SERVER_JID, unixSeconds, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/**
 * The server acks every `<message>` it accepts. Baileys never waits for it,
 * but an ack carrying `error` marks the message failed. The `holdAcks`
 * fault keeps acks back until it is cleared or released.
 */
export function ackMessage(node: BinaryNode, connection: UpstreamConnection): void {
  if (node.attrs.id === undefined) return;
  const ack: BinaryNode = {
    tag: 'ack',
    attrs: {
      class: 'message',
      id: node.attrs.id,
      from: node.attrs.to ?? SERVER_JID,
      t: unixSeconds(),
    },
  };
  if (connection.faults().holdAcks) {
    connection.heldAcks.push(ack);
    return;
  }
  connection.send(ack);
}

/** Receipts from the client are acked by class, echoing their type. */
export function ackReceipt(node: BinaryNode, connection: UpstreamConnection): void {
  if (node.attrs.id === undefined) return;
  const attrs: Record<string, string> = {
    class: 'receipt',
    id: node.attrs.id,
    from: node.attrs.to ?? SERVER_JID,
  };
  if (node.attrs.type !== undefined) attrs.type = node.attrs.type;
  connection.send({ tag: 'ack', attrs });
}
