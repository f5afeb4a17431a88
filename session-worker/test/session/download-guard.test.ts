import { createServer, connect, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { downloadContentFromMessage } from '@whiskeysockets/baileys';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script, run by npm after every install
import { patchSource } from '../../scripts/patch-baileys.mjs';
import { baileysDownloadGuarded } from '../../src/session/download-guard.js';

/**
 * A download whose body breaks off (a tunnel lost mid-download, a CDN
 * reset) must reject where Baileys' caller sees it: unpatched, Baileys
 * leaves the body's error without a listener, which ends the process, and
 * its reader waits forever.
 */
const SENT_BYTES = 4_096;
const CUT_AFTER_MS = 50;
/** A hundred times the cut: past it, the reader is waiting forever. */
const READER_BOUND_MS = CUT_AFTER_MS * 100;
const DECLARED_BYTES = 100_000;
let server: Server;
let port = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${DECLARED_BYTES}\r\n\r\n`);
      socket.write(randomBytes(SENT_BYTES));
      // The body stops short of its length, as when the carrying link is lost.
      setTimeout(() => socket.destroy(), CUT_AFTER_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Sends Baileys' https request to the local server in plain HTTP. */
function localDispatcher(): Agent {
  return new Agent({
    connect: (_options, callback) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => callback(null, socket));
      socket.once('error', (error) => callback(error, null));
    },
  });
}

describe('Baileys downloads whose body breaks off', () => {
  it('is patched in this install', () => {
    expect(baileysDownloadGuarded()).toBe(true);
  });

  it('rejects the reader, with nothing left uncaught', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const dispatcher = localDispatcher();
    try {
      const started = Date.now();
      const stream = await downloadContentFromMessage(
        { mediaKey: randomBytes(32), directPath: '/v/t62.7118-24/broken.enc' },
        'image',
        { options: { dispatcher } as RequestInit },
      );
      const read = (async () => {
        let bytes = 0;
        for await (const chunk of stream) bytes += (chunk as Buffer).length;
        return bytes;
      })();
      const outcome = await Promise.race([
        read.then(
          (bytes) => `ended after ${bytes} bytes`,
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting'), READER_BOUND_MS)),
      ]);
      expect(outcome).toBeInstanceOf(Error);
      // Let a stray error event, if any, reach the process before counting.
      await new Promise((resolve) => setTimeout(resolve, 100));
      console.log(`[download guard] the reader saw the break ${Date.now() - started} ms in`);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await dispatcher.close();
    }
  });

  it('refuses to patch code it does not recognise', () => {
    expect(() => patchSource('export const other = 1;')).toThrow(/not found once/);
    const once = patchSource('x\n    return fetched.pipe(output, { end: true });\n');
    expect(once).toContain("fetched.on('error'");
    expect(patchSource(once)).toBeNull();
  });
});
