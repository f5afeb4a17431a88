import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import type { Server } from 'node:https';
import type { IssuedPair } from './ca.js';
import { listenLocal } from './ports.js';

/** One request as this host received it. */
export interface Http1Record {
  readonly method: string;
  readonly path: string;
  readonly httpVersion: string;
  readonly origin: string | null;
  readonly contentLength: string | null;
  readonly transferEncoding: string | null;
  readonly bodyBytes: number;
  readonly bodySha256: string;
}

export interface Http1HostOptions {
  readonly tls: IssuedPair;
  /** Where uploads go on: the stand-in's TLS listener, its name and authority. */
  readonly upstream: { readonly port: number; readonly hostName: string; readonly caPem: string };
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
  'access-control-max-age': '600',
};

/**
 * A WhatsApp upload host that speaks HTTP/1.1 only (its TLS offers no h2),
 * where Chromium cannot stream a request body (F14). It records what
 * arrives, answers preflights, and passes uploads on to the stand-in's media
 * host, which stores them, so the bytes are checked where they land. It also
 * answers `/redirect` with a 302, for the opaque-redirect case.
 */
export class Http1Host {
  readonly records: Http1Record[] = [];
  readonly #server: Server;
  readonly #options: Http1HostOptions;
  port = 0;

  constructor(options: Http1HostOptions) {
    this.#options = options;
    this.#server = createServer(
      { cert: options.tls.certPem, key: options.tls.keyPem, ALPNProtocols: ['http/1.1'] },
      (incoming, response) => void this.#serve(incoming, response),
    );
  }

  async start(): Promise<void> {
    this.port = await listenLocal(this.#server);
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) => this.#server.close(() => done()));
  }

  async #serve(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const parts: Buffer[] = [];
    for await (const chunk of incoming) parts.push(chunk as Buffer);
    const body = Buffer.concat(parts);
    const header = (name: string): string | null => {
      const value = incoming.headers[name];
      return typeof value === 'string' ? value : null;
    };
    this.records.push({
      method: incoming.method ?? '',
      path: (incoming.url ?? '').split('?')[0] ?? '',
      httpVersion: incoming.httpVersion,
      origin: header('origin'),
      contentLength: header('content-length'),
      transferEncoding: header('transfer-encoding'),
      bodyBytes: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
    });
    if (incoming.method === 'OPTIONS') {
      const asked = header('access-control-request-headers');
      response.writeHead(204, {
        ...CORS,
        ...(asked ? { 'access-control-allow-headers': asked } : {}),
      });
      response.end();
      return;
    }
    if (incoming.url === '/redirect') {
      response.writeHead(302, { ...CORS, location: 'https://mmg.whatsapp.net/elsewhere' });
      response.end();
      return;
    }
    const { port, hostName, caPem } = this.#options.upstream;
    const forwarded = request(
      {
        host: '127.0.0.1',
        port,
        servername: hostName,
        ca: caPem,
        method: incoming.method,
        path: incoming.url,
        headers: {
          host: hostName,
          'content-type': header('content-type') ?? 'application/octet-stream',
          'content-length': String(body.length),
          ...(header('origin') ? { origin: header('origin') as string } : {}),
        },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, {
          ...CORS,
          'content-type': answer.headers['content-type'] ?? 'application/octet-stream',
        });
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => {
      response.writeHead(502, CORS);
      response.end();
    });
    forwarded.end(body);
  }
}
