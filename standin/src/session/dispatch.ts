import { describeNode, firstChildTag, iqResult, type BinaryNode } from '../wire/nodes.js';
import type { UpstreamConnection } from './connection.js';

/**
 * Hands a stanza to its handler. An IQ with no handler still gets an empty
 * result at once, because Baileys waits 60 s for any unanswered query; the
 * record lists it so a test can see what the stand-in has no model for.
 */
export async function dispatchStanza(node: BinaryNode, connection: UpstreamConnection) {
  const { handlers } = connection.ctx;
  if (node.tag === 'iq') {
    const handler = handlers.findIq(
      node.attrs.xmlns ?? '',
      node.attrs.type ?? '',
      firstChildTag(node) ?? '',
    );
    if (handler) {
      await handler(node, connection);
      return;
    }
    if (node.attrs.type === 'get' || node.attrs.type === 'set') {
      connection.record.genericAnswers.push(describeNode(node));
      connection.send(iqResult(node));
    }
    return;
  }
  await connection.ctx.handlers.findStanza(node.tag)?.(node, connection);
}
