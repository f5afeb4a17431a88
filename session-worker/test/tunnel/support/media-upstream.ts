import { createHash } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { payload } from '../../support/payload.js';
import { createTestCa } from '../../support/test-ca.js';

/** One request as it arrived, with the source address WhatsApp would see. */
export interface SeenRequest {
  readonly kind: 'http' | 'ws';
  readonly method: string;
  readonly path: string;
  readonly remoteAddress: string;
  readonly origin: string | null;
  readonly userAgent: string | null;
  /** For an upload: bytes and digest of the body that arrived. */
  length?: number;
  sha256?: string;
}

/**
 * A WhatsApp media and web host of the test's own for the relay tests:
 * TLS for the WhatsApp names and 127.0.0.1, answering as the real CDN does
 * for browsers (a wildcard allow-origin, credential-less preflights), and
 * recording each request's source address, Origin and User-Agent.
 *
 * `GET /blob/<n>` answers n deterministic bytes; `POST` anything answers
 * `{ length, sha256 }` of the body; `/hold` answers nothing until
 * `release()`; `/cut/<n>` sends its head and n body bytes, then breaks the
 * connection; `/stall/<n>` sends its head and n body bytes, then nothing
 * more until `release()` ends it; `/redirect` answers 302 to `/blob/16`. WebSockets on
 * `/ws/chat` echo each message with its binary bit (`close <code> <reason>`
 * closes); an upgrade with any Origin but WhatsApp's is refused with 403
 * while `refuseForeignOrigin` is set.
 */
export interface MediaUpstream {
  readonly port: number;
  /** `127.0.0.1:<port>`, for the worker's host map. */
  readonly address: string;
  /** `https://127.0.0.1:<port>`, for the peer's development map. */
  readonly origin: string;
  readonly ca: string;
  readonly seen: SeenRequest[];
  /** Close codes and reasons of the WebSockets the clients closed. */
  readonly closes: Array<{ code: number; reason: string }>;
  refuseForeignOrigin: boolean;
  /** Answers every held request (200, 16 bytes). */
  release(): void;
  /** Resolves when a request for `path` has arrived (counting earlier ones). */
  arrived(path: string, count?: number): Promise<void>;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-length',
};

export async function startMediaUpstream(): Promise<MediaUpstream> {
  const ca = createTestCa('Pasarela Tunnel Test CA');
  const { cert, key } = ca.issue(['web.whatsapp.com', '*.whatsapp.net', '127.0.0.1']);
  const server = https.createServer({ cert, key });
  const seen: SeenRequest[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const held: ServerResponse[] = [];
  const sockets = new Set<Duplex>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const waiters = new Set<() => void>();
  const record = (request: IncomingMessage, kind: 'http' | 'ws'): SeenRequest => {
    const entry: SeenRequest = {
      kind,
      method: request.method ?? 'GET',
      path: (request.url ?? '/').split('?')[0]!,
      remoteAddress: request.socket.remoteAddress ?? '',
      origin: request.headers.origin ?? null,
      userAgent: request.headers['user-agent'] ?? null,
    };
    seen.push(entry);
    for (const wake of [...waiters]) wake();
    return entry;
  };

  server.on('secureConnection', (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        ...CORS,
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '',
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }
    const entry = record(request, 'http');
    answer(request, response, entry, held);
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    record(request, 'ws');
    const origin = request.headers.origin ?? '';
    if (upstream.refuseForeignOrigin && origin !== 'https://web.whatsapp.com') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on('message', (data: Buffer, binary: boolean) => {
        const text = binary ? '' : data.toString('utf8');
        const close = /^close ([0-9]{4}) ?(.*)$/.exec(text);
        if (close) ws.close(Number(close[1]), close[2]);
        else ws.send(data, { binary });
      });
      ws.on('close', (code: number, reason: Buffer) => {
        closes.push({ code, reason: reason.toString('utf8') });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const upstream: MediaUpstream = {
    port,
    address: `127.0.0.1:${port}`,
    origin: `https://127.0.0.1:${port}`,
    ca: ca.cert,
    seen,
    closes,
    refuseForeignOrigin: false,
    release() {
      for (const response of held.splice(0)) {
        if (response.headersSent) {
          response.end();
          continue;
        }
        response.writeHead(200, { ...CORS, 'content-type': 'application/octet-stream' });
        response.end(payload(16, 'held'));
      }
    },
    arrived(path, count = 1) {
      const enough = () => seen.filter((entry) => entry.path === path).length >= count;
      if (enough()) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => {
          if (!enough()) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstream;
}

function answer(
  request: IncomingMessage,
  response: ServerResponse,
  entry: SeenRequest,
  held: ServerResponse[],
): void {
  const blob = /^\/blob\/([0-9]+)$/.exec(entry.path);
  const cut = /^\/cut\/([0-9]+)$/.exec(entry.path);
  const stall = /^\/stall\/([0-9]+)$/.exec(entry.path);
  if (entry.path === '/hold') {
    request.resume();
    held.push(response);
    return;
  }
  if (stall) {
    response.writeHead(200, { ...CORS, 'content-type': 'application/octet-stream' });
    response.write(payload(Number(stall[1]), 'stall'));
    held.push(response);
    return;
  }
  if (entry.path === '/redirect') {
    response.writeHead(302, { ...CORS, location: '/blob/16', 'content-length': '0' });
    response.end();
    return;
  }
  if (cut) {
    response.writeHead(200, {
      ...CORS,
      'content-type': 'application/octet-stream',
      'content-length': '1048576',
    });
    response.write(payload(Number(cut[1]), 'cut'), () => {
      setTimeout(() => request.socket.destroy(), 50);
    });
    return;
  }
  if (blob && (request.method === 'GET' || request.method === 'HEAD')) {
    const body = payload(Number(blob[1]));
    response.writeHead(200, {
      ...CORS,
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
    return;
  }
  const hash = createHash('sha256');
  let length = 0;
  request.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    length += chunk.length;
  });
  request.on('end', () => {
    entry.length = length;
    entry.sha256 = hash.digest('hex');
    response.writeHead(200, { ...CORS, 'content-type': 'application/json' });
    response.end(JSON.stringify({ length, sha256: entry.sha256 }));
  });
}
