import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { StandinContext } from '../context.js';
import { ruleRefuses } from '../faults.js';
import { UpstreamConnection } from '../session/connection.js';
import type { RequestRecord } from '../records.js';
import { describeRequest } from './request-info.js';
import { SERVER_HEADER } from './respond.js';

function refuse(record: RequestRecord, socket: Duplex, status: number, reason: string): void {
  const headers = { ...SERVER_HEADER, connection: 'close', 'content-length': '0' };
  record.status = status;
  record.responseHeaders = headers;
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  socket.end([`HTTP/1.1 ${status} ${reason}`, ...lines, '', ''].join('\r\n'));
}

/**
 * A WebSocket upgrade on either listener. The web host's `/ws/chat` becomes
 * an upstream connection, unless the host's `refuseUpgrades` fault refuses
 * it by Origin; Baileys then sees an HTTP error instead of a handshake.
 */
export function handleUpgrade(
  ctx: StandinContext,
  server: WebSocketServer,
  transport: 'tls' | 'plain',
  request: IncomingMessage,
  socket: Duplex,
  head: Buffer,
): void {
  const record = ctx.records.addRequest(describeRequest(request, 'ws', transport, ctx.options));
  socket.on('error', () => undefined);
  const pathname = (request.url ?? '/').split('?')[0];
  if (record.host !== ctx.options.webHost || pathname !== '/ws/chat') {
    refuse(record, socket, 404, 'Not Found');
    return;
  }
  const faults = ctx.faults.forHost(record.host);
  if (ruleRefuses(faults.refuseUpgrades, record.origin)) {
    record.refusedBy = 'host:refuseUpgrades';
    refuse(record, socket, faults.refusalStatus, 'Refused');
    return;
  }
  server.handleUpgrade(request, socket, head, (ws) => {
    record.status = 101;
    // The connection registers itself with the context and lives until the socket closes.
    new UpstreamConnection(ws, ctx.records.openConnection(record), ctx);
  });
}
