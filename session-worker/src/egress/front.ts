import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { EGRESS_DEFAULTS } from './defaults.js';
import { EgressError } from './errors.js';
import type { Face } from './exchange.js';
import { createSocketPair } from './socket-pair.js';
import type { PairSocket } from './socket-pair.js';
import type { Target } from './target.js';

/**
 * The egress's in-process HTTP server. Both faces hand their client a
 * socket whose other end is accepted here, so every request and WebSocket
 * upgrade of every tenant arrives parsed (method, URL, headers, streamed
 * body) at one place that decides its route. The server never listens:
 * there is no port another process could use as a relay. Node's request
 * and header timers are off; the egress keeps its own deadlines.
 */

export interface FrontHandler {
  handleRequest(request: IncomingMessage, response: ServerResponse, link: FrontLink): void;
  handleUpgrade(request: IncomingMessage, socket: PairSocket, head: Buffer, link: FrontLink): void;
}

/** One in-process connection: which tenant, which face, which origin. */
export interface FrontLink {
  readonly handler: FrontHandler;
  readonly face: Face;
  readonly target: Target;
  /** The egress's end. */
  readonly socket: PairSocket;
  /** The client's end, to notice a client that leaves before it is answered. */
  readonly peer: PairSocket;
}

const links = new WeakMap<Duplex, FrontLink>();
let server: http.Server | undefined;

function frontServer(): http.Server {
  if (server) return server;
  const created = http.createServer({ requestTimeout: 0, headersTimeout: 0 });
  created.keepAliveTimeout = EGRESS_DEFAULTS.frontIdleMs;
  created.timeout = 0;
  created.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const link = links.get(request.socket);
    if (link) link.handler.handleRequest(request, response, link);
    else request.socket.destroy();
  });
  created.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const link = links.get(socket);
    if (link) link.handler.handleUpgrade(request, link.socket, head, link);
    else socket.destroy();
  });
  created.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    const link = links.get(socket);
    link?.socket.abort(new EgressError('host_not_allowed', 'CONNECT tunnels are not relayed'));
  });
  server = created;
  return created;
}

/**
 * Opens an in-process connection for a face and returns the client's end.
 * The egress's end is accepted by the server at once.
 */
export function openFrontLink(
  handler: FrontHandler,
  face: Face,
  target: Target,
  highWaterMark: number,
): { client: PairSocket; link: FrontLink } {
  const pair = createSocketPair({
    remote: { address: target.host, port: target.port },
    highWaterMark,
  });
  const link: FrontLink = { handler, face, target, socket: pair.server, peer: pair.client };
  links.set(pair.server, link);
  frontServer().emit('connection', pair.server);
  return { client: pair.client, link };
}
