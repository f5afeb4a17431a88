import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/** A request as the upstream received it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly bodyBytes: number;
  readonly bodySha256: string;
  /** The source address the request came from. */
  readonly remoteAddress: string | undefined;
}

export interface SeenUpgrade {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly remoteAddress: string | undefined;
}

export interface SocketClose {
  readonly code: number;
  readonly reason: string;
}

/** Deterministic bytes (a xorshift stream), the same on every run. */
export function patternBytes(size: number, seed = 0x9e3779b9): Uint8Array {
  const bytes = new Uint8Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i += 1) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const FIVE_MB = 5 * 1024 * 1024;

const CORS = { 'access-control-allow-origin': '*' };

/**
 * Stand-in upstream hosts on loopback: media download and upload, a
 * header mirror, hosts that stall or refuse CORS, and WebSocket endpoints
 * that echo, close on request or refuse the upgrade.
 */
export class TestUpstream {
  readonly requests: SeenRequest[] = [];
  readonly upgrades: SeenUpgrade[] = [];
  readonly closesFromPeer: SocketClose[] = [];
  readonly media = patternBytes(FIVE_MB);
  /** Resolves with the bytes of a streamed body received before its end. */
  firstChunk: Promise<number>;
  #firstChunk!: (bytes: number) => void;
  readonly #server: http.Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sockets = new Set<WebSocket>();

  private constructor() {
    this.firstChunk = this.#resetFirstChunk();
    this.#server = http.createServer((request, response) => this.#serve(request, response));
    this.#server.on('upgrade', (request, socket, head) => {
      const path = request.url ?? '/';
      this.upgrades.push({
        path,
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress,
      });
      // Refuses any Origin but WhatsApp's own, as the real service is reported to.
      const strict = path.startsWith('/ws/strict');
      if (strict && request.headers.origin !== 'https://web.whatsapp.com') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      if (path.startsWith('/ws/refuse')) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      if (!path.startsWith('/ws/chat') && !strict) {
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(request, socket, head, (ws) => this.#chat(ws));
    });
  }

  static async start(): Promise<TestUpstream> {
    const upstream = new TestUpstream();
    await new Promise<void>((resolve) => upstream.#server.listen(0, '127.0.0.1', () => resolve()));
    return upstream;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Sends a message to every open upstream socket, as WhatsApp pushing a frame. */
  push(data: Uint8Array | string): void {
    for (const ws of this.#sockets) ws.send(data, { binary: typeof data !== 'string' });
  }

  get openSockets(): number {
    return this.#sockets.size;
  }

  async close(): Promise<void> {
    for (const ws of this.#sockets) ws.terminate();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #resetFirstChunk(): Promise<number> {
    return new Promise((resolve) => {
      this.#firstChunk = resolve;
    });
  }

  #chat(ws: WebSocket): void {
    this.#sockets.add(ws);
    ws.on('message', (data: Buffer, binary: boolean) => {
      const text = binary ? null : data.toString('utf8');
      const order = text?.match(/^close-me:(\d+):(.*)$/);
      if (order) ws.close(Number(order[1]), order[2]);
      else ws.send(data, { binary });
    });
    ws.on('close', (code, reason) => {
      this.#sockets.delete(ws);
      this.closesFromPeer.push({ code, reason: reason.toString() });
    });
  }

  #serve(request: http.IncomingMessage, response: http.ServerResponse): void {
    const path = request.url ?? '/';
    const hash = createHash('sha256');
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      if (bytes === 0) this.#firstChunk(chunk.byteLength);
      bytes += chunk.byteLength;
      hash.update(chunk);
    });
    request.on('end', () => {
      const seen: SeenRequest = {
        method: request.method ?? '',
        path,
        headers: request.headers,
        bodyBytes: bytes,
        bodySha256: hash.digest('hex'),
        remoteAddress: request.socket.remoteAddress,
      };
      this.requests.push(seen);
      this.#answer(seen, response);
    });
  }

  #answer(seen: SeenRequest, response: http.ServerResponse): void {
    if (seen.method === 'OPTIONS') {
      response.writeHead(204, {
        ...CORS,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': '*',
      });
      response.end();
      return;
    }
    const route = seen.path.split('?')[0];
    switch (route) {
      case '/media/5mb':
        response.writeHead(200, { ...CORS, 'content-type': 'application/octet-stream' });
        response.end(this.media);
        return;
      case '/upload':
        response.writeHead(200, { ...CORS, 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            bytes: seen.bodyBytes,
            sha256: seen.bodySha256,
            chunked: seen.headers['transfer-encoding'] === 'chunked',
          }),
        );
        return;
      case '/headers':
        response.writeHead(200, {
          ...CORS,
          'access-control-expose-headers': 'X-Exposed',
          'content-type': 'application/json',
          'cache-control': 'no-store',
          'set-cookie': ['session=secret', 'other=secret'],
          'x-exposed': 'visible',
          'x-internal': 'hidden',
        });
        response.end(JSON.stringify(seen.headers));
        return;
      case '/no-cors':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('a page may not read this');
        return;
      case '/redirect':
        response.writeHead(302, { ...CORS, location: 'https://elsewhere.example/' });
        response.end();
        return;
      case '/stall-head':
        return;
      case '/stall-body':
        response.writeHead(200, { ...CORS, 'content-type': 'application/octet-stream' });
        response.write(new Uint8Array(1024));
        return;
      default:
        response.writeHead(404, CORS);
        response.end();
    }
  }
}
