import { createServer } from 'node:https';
import type { Server } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { IssuedPair } from '../../../../web/test/browser/support/ca.js';
import { listenLocal } from '../../../../web/test/browser/support/ports.js';

/** A host that is neither WhatsApp's nor the restaurant's pages'. */
export const ELSEWHERE_HOST = 'elsewhere.example.test';

export interface ElsewhereRecord {
  readonly kind: 'http' | 'ws';
  readonly method: string;
  readonly path: string;
  readonly origin: string | null;
  readonly remoteAddress: string;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Another site</title></head>
<body><p>A site that is not one of the restaurant's pages.</p></body></html>
`;

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
};

/**
 * Another https site: it serves a page of its own at `/`, and records the
 * Origin of every request and WebSocket upgrade it gets, so the suite can
 * show what the extension leaves alone. It listens before the suite's
 * authority exists (the browser's resolver rules need its port first) and
 * takes its certificate afterwards, by SNI.
 */
export class ElsewhereHost {
  readonly records: ElsewhereRecord[] = [];
  readonly #server: Server;
  #context: SecureContext | null = null;
  port = 0;

  constructor() {
    this.#server = createServer(
      {
        SNICallback: (_name, done) => {
          if (this.#context) done(null, this.#context);
          else done(new Error('no certificate yet'));
        },
      },
      (request, response) => {
        this.#record('http', request.method ?? '', request.url ?? '', request);
        request.resume();
        if (request.url === '/') {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          response.end(PAGE);
          return;
        }
        response.writeHead(request.method === 'OPTIONS' ? 204 : 200, CORS);
        response.end();
      },
    );
    const sockets = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (request, socket, head) => {
      this.#record('ws', 'GET', request.url ?? '', request);
      sockets.handleUpgrade(request, socket, head, (ws) => ws.on('error', () => undefined));
    });
  }

  #record(
    kind: 'http' | 'ws',
    method: string,
    path: string,
    request: { headers: { origin?: string }; socket: { remoteAddress?: string } },
  ): void {
    this.records.push({
      kind,
      method,
      path,
      origin: request.headers.origin ?? null,
      remoteAddress: request.socket.remoteAddress ?? '',
    });
  }

  async start(): Promise<void> {
    this.port = await listenLocal(this.#server);
  }

  /** The certificate for ELSEWHERE_HOST, from the suite's authority. */
  useCertificate(pair: IssuedPair): void {
    this.#context = createSecureContext({ cert: pair.certPem, key: pair.keyPem });
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }
}
