import { randomBytes } from 'node:crypto';
import { SERVER_JID } from '../wire/nodes.js';
import type { UpstreamConnection } from './connection.js';

/**
 * What the server sends right after `success`: routing info for the next
 * connection's intro, then the end of the offline backlog. Without the
 * `offline` marker Baileys buffers its events for 30 s.
 */
export function welcome(connection: UpstreamConnection): void {
  if (connection.ctx.options.sendEdgeRouting) {
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
  // The stand-in queues nothing for an account while it is away (README), so the
  // backlog is always empty.
  connection.send({
    tag: 'ib',
    attrs: { from: SERVER_JID },
    content: [{ tag: 'offline', attrs: { count: '0' } }],
  });
}
