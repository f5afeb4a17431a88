import { child, iqResult, type BinaryNode } from '../../wire/nodes.js';
import type { UpstreamConnection } from '../connection.js';

/**
 * `<iq xmlns='w:m' type='set'><media_conn/>`: the upload hosts and the auth
 * token uploads carry. The token is the account's, so every upload names
 * its account.
 */
export function answerMediaConn(node: BinaryNode, connection: UpstreamConnection): void {
  const { options } = connection.ctx;
  const account = connection.account;
  if (!account || !child(node, 'media_conn')) {
    connection.send(iqResult(node));
    return;
  }
  connection.send(
    iqResult(node, [
      {
        tag: 'media_conn',
        attrs: {
          auth: account.mediaAuth,
          ttl: String(options.mediaConnTtlSeconds),
          auth_ttl: String(options.mediaAuthTtlSeconds),
          max_buckets: '12',
        },
        content: options.uploadHosts.map((hostname) => ({
          tag: 'host',
          attrs: { hostname, maxContentLengthBytes: String(options.maxUploadBytes) },
        })),
      },
    ]),
  );
}
