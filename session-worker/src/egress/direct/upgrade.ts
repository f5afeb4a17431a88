import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { forwardableHeaders } from '../classify.js';
import type { EgressDeadlines } from '../defaults.js';
import { EgressError } from '../errors.js';
import type { UpgradeExchange } from '../exchange.js';
import { describeTarget, targetName } from '../target.js';
import { isReady, openDirect } from './connect.js';
import type { ConnectorOptions } from './connect.js';

/**
 * Sends a WebSocket upgrade direct and, once the upstream switches
 * protocols, splices the two connections byte for byte. The egress never
 * parses WebSocket frames on this route: message boundaries, the binary
 * bit, close codes and whatever extension the two ends agree on pass
 * untouched, and `pipe` carries backpressure both ways.
 *
 * A refused or failed upgrade fails the client at once with a coded error.
 * An HTTP answer would not do: Baileys listens for `unexpected-response`,
 * so `ws` would leave the socket connecting until Baileys' 20 s timeout.
 */
export function forwardUpgradeDirect(
  exchange: UpgradeExchange,
  connector: ConnectorOptions,
  deadlines: EgressDeadlines,
): void {
  const { request, target } = exchange;
  const where = describeTarget(target, exchange.path);
  const context = { host: targetName(target), leg: exchange.leg };
  const timer = setTimeout(() => {
    exchange.fail(
      new EgressError(
        'upstream_timeout',
        `${where} did not accept the WebSocket within ${deadlines.upgradeTimeoutMs} ms`,
        context,
      ),
    );
  }, deadlines.upgradeTimeoutMs);
  exchange.onFail(() => clearTimeout(timer));

  let socket: Duplex | undefined;
  const upstream = (target.protocol === 'https:' ? https : http).request({
    host: target.host,
    port: target.port,
    method: request.method,
    path: exchange.path,
    headers: forwardableHeaders(request.rawHeaders, true) as unknown as http.OutgoingHttpHeaders,
    createConnection: () => {
      socket = openDirect(target, connector);
      exchange.opened();
      return socket;
    },
  });
  exchange.onFail(() => upstream.destroy());

  upstream.on('error', (error) => {
    clearTimeout(timer);
    if (error instanceof EgressError) {
      exchange.fail(error);
      return;
    }
    const reason = (error as NodeJS.ErrnoException).code ?? error.message;
    const code = isReady(socket as never) ? 'upstream_reset' : 'upstream_unreachable';
    exchange.fail(
      new EgressError(
        code,
        `WebSocket to ${where} failed (${reason})`,
        { ...context, reason },
        {
          cause: error,
        },
      ),
    );
  });

  upstream.on('response', (reply: IncomingMessage) => {
    clearTimeout(timer);
    reply.resume();
    const status = reply.statusCode ?? 0;
    exchange.status = status;
    exchange.fail(
      new EgressError(
        'upstream_refused',
        `${where} answered the WebSocket upgrade with ${status}`,
        { ...context, status },
      ),
    );
  });

  upstream.on('upgrade', (reply: IncomingMessage, upstreamSocket: Duplex, upstreamHead: Buffer) => {
    clearTimeout(timer);
    if (exchange.settled) {
      upstreamSocket.destroy();
      return;
    }
    splice(exchange, reply, upstreamSocket, upstreamHead);
  });

  upstream.end();
}

function responseHead(reply: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${reply.statusCode} ${reply.statusMessage ?? ''}`];
  for (let i = 0; i + 1 < reply.rawHeaders.length; i += 2) {
    lines.push(`${reply.rawHeaders[i]}: ${reply.rawHeaders[i + 1]}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function splice(
  exchange: UpgradeExchange,
  reply: IncomingMessage,
  upstream: Duplex,
  upstreamHead: Buffer,
): void {
  const client = exchange.client;
  const where = describeTarget(exchange.target, exchange.path);
  exchange.status = reply.statusCode ?? 101;
  exchange.establish();
  const net = upstream as Duplex & {
    setNoDelay?(on: boolean): void;
    setTimeout?(ms: number): void;
  };
  net.setNoDelay?.(true);
  net.setTimeout?.(0);
  exchange.onFail(() => upstream.destroy());

  client.write(responseHead(reply));
  if (upstreamHead.length > 0) client.write(upstreamHead);
  if (exchange.head.length > 0) upstream.write(exchange.head);

  client.on('data', (chunk: Buffer) => exchange.sent(chunk.length));
  upstream.on('data', (chunk: Buffer) => exchange.received(chunk.length));
  client.pipe(upstream);
  upstream.pipe(client);
  upstream.on('error', (error) => {
    const reason = (error as NodeJS.ErrnoException).code ?? error.message;
    exchange.fail(
      new EgressError('upstream_reset', `WebSocket to ${where} broke (${reason})`, {
        host: targetName(exchange.target),
        leg: exchange.leg,
        reason,
      }),
    );
  });
  // Either side closing ends the other; `pipe` already forwards a clean end.
  client.on('error', () => upstream.destroy());
  client.on('close', () => {
    upstream.destroy();
    exchange.finish();
  });
  upstream.on('close', () => {
    if (!client.destroyed) client.end();
  });
}
