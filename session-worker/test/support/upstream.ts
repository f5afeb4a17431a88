import { createHash } from 'node:crypto';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { payload } from './payload.js';
import { createTestCa } from './test-ca.js';

/**
 * A TLS HTTP and WebSocket server of the test's own on loopback, standing
 * for WhatsApp's hosts: a certificate from a fresh test CA for the names
 * given, and a record of what arrived (TLS server name, path, headers,
 * body digest, WebSocket messages).
 *
 * Defaults: `GET /blob/<n>` answers n deterministic bytes (`payload(n)`);
 * any other request is read whole and answered with JSON `{ method, path,
 * length, sha256 }`; a WebSocket on `/refuse` is answered 403, any other
 * echoes each message with its binary bit, and a text message
 * `close <code> <reason>` makes the server close with that code. A
 * WebSocket on `/hang` is never answered. A
 * WebSocket on `/flood/<n>` sends n bytes in 64 KiB binary messages, each
 * only once the previous one reached the connection, and then closes 1000.
 */

export interface UpstreamRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly servername: string | null;
}

export interface UpstreamUpgrade {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly servername: string | null;
  readonly messages: Array<{ data: Buffer; binary: boolean }>;
  closed?: { code: number; reason: string };
  /** Bytes a `/flood/<n>` socket has handed to its connection so far. */
  flooded: number;
  /** The TCP connection behind it has closed. */
  socketClosed: boolean;
}

export type UpstreamHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface TestUpstream {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `127.0.0.1:<port>`, for a host map. */
  readonly address: string;
  /** PEM of the CA that issued the server's certificate. */
  readonly ca: string;
  readonly requests: UpstreamRequest[];
  readonly upgrades: UpstreamUpgrade[];
  /** TLS connections accepted, by server name. */
  readonly connections: Array<string | null>;
  /** Replaces the default answer for one path (query ignored). */
  handle(path: string, handler: UpstreamHandler): void;
  /** `echo` (default) answers each WebSocket message; `silent` only records them. */
  webSocketMode: 'echo' | 'silent';
  close(): Promise<void>;
}

export const UPSTREAM_NAMES = ['web.whatsapp.com', '*.whatsapp.net', 'example.org'];

export async function startUpstream(names: readonly string[] = UPSTREAM_NAMES) {
  const ca = createTestCa();
  const { cert, key } = ca.issue(names);
  const requests: UpstreamRequest[] = [];
  const upgrades: UpstreamUpgrade[] = [];
  const connections: Array<string | null> = [];
  const handlers = new Map<string, UpstreamHandler>();
  const server = https.createServer({ cert, key });
  const sockets = new Set<Duplex>();
  const wss = new WebSocketServer({ noServer: true });

  server.on('secureConnection', (socket: TLSSocket) => {
    connections.push(socket.servername || null);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    const servername = (request.socket as TLSSocket).servername || null;
    requests.push({ method: request.method ?? '', path, headers: request.headers, servername });
    const handler = handlers.get(path.split('?')[0]!);
    if (handler) handler(request, response);
    else answerDefault(request, response);
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = request.url ?? '/';
    const record: UpstreamUpgrade = {
      path,
      headers: request.headers,
      servername: (socket as TLSSocket).servername || null,
      messages: [],
      flooded: 0,
      socketClosed: false,
    };
    upgrades.push(record);
    socket.once('close', () => (record.socketClosed = true));
    if (path.startsWith('/hang')) return;
    if (path.startsWith('/refuse')) {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const flood = /^\/flood\/([0-9]+)/.exec(path);
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (flood) void floodSocket(ws, record, Number(flood[1]));
      else echo(ws, record, upstream.webSocketMode === 'silent');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const upstream: TestUpstream = {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    ca: ca.cert,
    requests,
    upgrades,
    connections,
    handle(path, handler) {
      handlers.set(path, handler);
    },
    webSocketMode: 'echo',
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstream;
}

// Blobs are made once per size: benchmarks ask for the same one many times.
const blobs = new Map<number, Buffer>();

function blobOf(length: number): Buffer {
  let body = blobs.get(length);
  if (!body) {
    body = payload(length);
    blobs.set(length, body);
  }
  return body;
}

function answerDefault(request: IncomingMessage, response: ServerResponse): void {
  const path = request.url ?? '/';
  const blob = /^\/blob\/([0-9]+)/.exec(path);
  if (blob && request.method === 'GET') {
    const body = blobOf(Number(blob[1]));
    response.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': body.length,
    });
    response.end(body);
    return;
  }
  const hash = createHash('sha256');
  let length = 0;
  request.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    length += chunk.length;
  });
  request.on('end', () => {
    const body = JSON.stringify({
      method: request.method,
      path: path.split('?')[0],
      length,
      sha256: hash.digest('hex'),
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
}

function echo(ws: WebSocket, record: UpstreamUpgrade, silent: boolean): void {
  ws.on('message', (data: Buffer, binary: boolean) => {
    record.messages.push({ data, binary });
    if (silent) return;
    const text = binary ? '' : data.toString('utf8');
    const close = /^close ([0-9]{4}) ?(.*)$/.exec(text);
    if (close) ws.close(Number(close[1]), close[2]);
    else ws.send(data, { binary });
  });
  ws.on('close', (code: number, reason: Buffer) => {
    record.closed = { code, reason: reason.toString('utf8') };
  });
}

async function floodSocket(ws: WebSocket, record: UpstreamUpgrade, total: number): Promise<void> {
  const chunk = payload(64 * 1024, 'flood');
  while (record.flooded < total && ws.readyState === ws.OPEN) {
    const size = Math.min(chunk.length, total - record.flooded);
    const sent = await new Promise<boolean>((resolve) => {
      ws.send(chunk.subarray(0, size), { binary: true }, (error) => resolve(!error));
    });
    if (!sent) return;
    record.flooded += size;
  }
  if (ws.readyState === ws.OPEN) ws.close(1000, 'flood done');
}
