import { createServer, type Server } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { StandinContext } from '../context.js';
import type { TlsMaterial } from '../tls/ca.js';
import { handleHttp } from './routes.js';
import { handleUpgrade } from './upgrade.js';

export interface Listeners {
  readonly tls: AddressInfo;
  readonly plain: AddressInfo | null;
  close(): Promise<void>;
}

function listen(server: Server | Http2SecureServer, host: string, port: number) {
  return new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server | Http2SecureServer, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}

function track(server: Server | Http2SecureServer, event: string, sockets: Set<Socket>): void {
  server.on(event, (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
}

/**
 * One TLS listener serves every WhatsApp host name: a single certificate
 * names them all, and requests are routed by Host/:authority. It speaks
 * HTTP/2 (browsers stream upload bodies only over HTTP/2) and HTTP/1.1
 * (Baileys' uploads and every WebSocket upgrade). The plain listener serves
 * the same over ws/http on a local address, for development only.
 */
export async function startListeners(ctx: StandinContext, tls: TlsMaterial): Promise<Listeners> {
  const options = ctx.options;
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const tlsSockets = new Set<Socket>();
  const tlsServer = createSecureServer(
    { key: tls.keyPem, cert: tls.certPem, allowHTTP1: true },
    (request, response) => handleHttp(ctx, 'tls', request, response),
  );
  tlsServer.on('upgrade', (request, socket, head) =>
    handleUpgrade(ctx, wss, 'tls', request, socket, head),
  );
  track(tlsServer, 'secureConnection', tlsSockets);
  const tlsAddress = await listen(tlsServer, options.tlsHost, options.tlsPort);

  let plainServer: Server | null = null;
  let plainAddress: AddressInfo | null = null;
  const plainSockets = new Set<Socket>();
  if (options.plainHost !== null) {
    plainServer = createServer((request, response) => handleHttp(ctx, 'plain', request, response));
    plainServer.on('upgrade', (request, socket, head) =>
      handleUpgrade(ctx, wss, 'plain', request, socket, head),
    );
    track(plainServer, 'connection', plainSockets);
    plainAddress = await listen(plainServer, options.plainHost, options.plainPort);
  }

  return {
    tls: tlsAddress,
    plain: plainAddress,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await Promise.all([
        closeServer(tlsServer, tlsSockets),
        plainServer ? closeServer(plainServer, plainSockets) : Promise.resolve(),
      ]);
    },
  };
}
