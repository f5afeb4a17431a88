import { randomBytes } from 'node:crypto';
import { SERVER_JID } from '../wire/nodes.js';
import type { UpstreamConnection } from './connection.js';

/**
 * What the server sends right after `success`: routing info for the next
 * connection's intro, everything the device's mailbox kept while it was
 * away (flagged `offline`), then the end of that backlog with its count.
 * Without the `offline` marker Baileys buffers its events for 30 s.
 */
export function welcome(connection: UpstreamConnection): void {
  const { ctx, account } = connection;
  if (ctx.options.sendEdgeRouting) {
    connection.send({
      tag: 'ib',
      attrs: { from: SERVER_JID },
      content: [
        {
          tag: 'edge_routing',
          attrs: {},
          content: [{ tag: 'routing_info', attrs: {}, content: randomBytes(8) }],
        },
      ],
    });
  }
  const device = connection.device === null ? undefined : account?.devices.get(connection.device);
  const count = device ? ctx.delivery.flush(connection, device) : 0;
  connection.send({
    tag: 'ib',
    attrs: { from: SERVER_JID },
    content: [{ tag: 'offline', attrs: { count: String(count) } }],
  });
}
