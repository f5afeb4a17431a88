import {
  getErrorCodeFromStreamError,
  initAuthCreds,
  makeWASocket,
  type BinaryNode,
  type ConnectionState,
} from '@whiskeysockets/baileys';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { QR_EXPIRED_MESSAGE, readDisconnect } from '../../src/session/disconnect.js';

type LastDisconnect = NonNullable<ConnectionState['lastDisconnect']>;
type BoomClass = new (message: string, options: { statusCode: number; data?: unknown }) => Error;

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Runs a real Baileys socket against a local address until it closes; returns its disconnect. */
async function closeOf(url: string, connectTimeoutMs = 5_000): Promise<LastDisconnect> {
  const sock = makeWASocket({
    waWebSocketUrl: url,
    auth: { creds: initAuthCreds(), keys: { get: async () => ({}), set: async () => undefined } },
    logger: pino({ level: 'silent' }),
    connectTimeoutMs,
  });
  return new Promise((resolve) => {
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'close' && update.lastDisconnect) resolve(update.lastDisconnect);
    });
  });
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('reading the status code from closes Baileys itself produced', () => {
  it('a refused connection: 408 from the WebSocket error', async () => {
    const last = await closeOf(`ws://127.0.0.1:${await refusedPort()}/ws/chat`);
    expect(readDisconnect(last)).toMatchObject({ statusCode: 408, intentional: false });
    expect(readDisconnect(last).message).toMatch(/^WebSocket Error \(connect ECONNREFUSED/);
  });

  // Baileys listens for ws' 'unexpected-response', which stops ws from
  // failing the upgrade itself: a refused upgrade waits out the connect
  // timeout and arrives as a 408, never as the server's own status.
  it('an upgrade refused with HTTP 503: 408 once connectTimeoutMs has passed', async () => {
    const server = createServer((_, res) => res.writeHead(503).end());
    const port = await listen(server);
    const started = performance.now();
    const last = await closeOf(`ws://127.0.0.1:${port}/ws/chat`, 1_000);
    const waited = Math.round(performance.now() - started);
    console.log(`refused upgrade surfaced after ${waited} ms (connectTimeoutMs 1000)`);
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(readDisconnect(last)).toMatchObject({ statusCode: 408, qrExpired: false });
  });

  it('a server that accepts the upgrade and hangs up: 428', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => ws.close());
    const port = await listen(server);
    const last = await closeOf(`ws://127.0.0.1:${port}/ws/chat`);
    expect(readDisconnect(last)).toEqual({
      statusCode: 428,
      message: 'Connection Terminated',
      qrExpired: false,
      intentional: false,
    });
  });
});

describe('reading closes built the way Baileys builds them', () => {
  // The very Boom module Baileys imports, resolved from Baileys' own folder.
  const baileys = createRequire(import.meta.url).resolve('@whiskeysockets/baileys');
  const { Boom } = createRequire(baileys)('@hapi/boom') as { Boom: BoomClass };

  it('is the module whose errors Baileys’ own closes are', async () => {
    const last = await closeOf(`ws://127.0.0.1:${await refusedPort()}/ws/chat`);
    expect(last.error).toMatchObject({ isBoom: true });
    expect(new Boom('x', { statusCode: 440 })).toMatchObject({ isBoom: true });
    expect(Object.keys(last.error ?? {}).sort()).toEqual(
      Object.keys(new Boom('x', { statusCode: 440 })).sort(),
    );
  });

  const stream = (attrs: Record<string, string>, child?: string): BinaryNode => ({
    tag: 'stream:error',
    attrs,
    content: child ? [{ tag: child, attrs: {} }] : [],
  });

  it.each([
    ['stream error with code 515', stream({ code: '515' }), 515],
    ['stream error "conflict"', stream({}, 'conflict'), 440],
    ['stream error with code 401', stream({ code: '401' }), 401],
    ['stream error without a known reason', stream({}, 'something'), 500],
  ])('%s → %i', (_, node, expected) => {
    const { reason, statusCode } = getErrorCodeFromStreamError(node);
    const error = new Boom(`Stream Errored (${reason})`, { statusCode, data: node });
    expect(readDisconnect({ error }).statusCode).toBe(expected);
  });

  it.each([
    ['Connection Failure', 403],
    ['Connection Failure', 401],
    ['Multi-device beta not joined', 411],
    ['Connection was lost', 408],
  ])('"%s" with %i', (message, statusCode) => {
    expect(readDisconnect({ error: new Boom(message, { statusCode }) })).toMatchObject({
      statusCode,
      message,
      qrExpired: false,
    });
  });

  it('tells the QR expiry (408 "QR refs attempts ended") from any other 408', () => {
    expect(readDisconnect({ error: new Boom(QR_EXPIRED_MESSAGE, { statusCode: 408 }) })).toEqual({
      statusCode: 408,
      message: 'QR refs attempts ended',
      qrExpired: true,
      intentional: false,
    });
  });

  it('reads output.statusCode, not a code found in the Boom’s data', () => {
    const error = new Boom('Connection Failure', { statusCode: 515, data: { reason: '401' } });
    expect(readDisconnect({ error }).statusCode).toBe(515);
  });
});

describe('reading closes without a Boom', () => {
  it('a plain Error carries no status code', () => {
    const error = Object.assign(new Error('boom-like'), { statusCode: 515 });
    expect(readDisconnect({ error })).toEqual({
      statusCode: undefined,
      message: 'boom-like',
      qrExpired: false,
      intentional: false,
    });
  });

  it('no error at all is an intentional end', () => {
    expect(readDisconnect({ error: undefined })).toMatchObject({ intentional: true });
    expect(readDisconnect(undefined)).toMatchObject({ intentional: true });
  });
});

describe('the installed Baileys', () => {
  it('still ends the QR phase with the 408 and the message the rules look for', () => {
    const lib = dirname(createRequire(import.meta.url).resolve('@whiskeysockets/baileys'));
    const source = readFileSync(join(lib, 'Socket', 'socket.js'), 'utf8');
    expect(source).toContain(
      `new Boom('${QR_EXPIRED_MESSAGE}', { statusCode: DisconnectReason.timedOut })`,
    );
  });
});
