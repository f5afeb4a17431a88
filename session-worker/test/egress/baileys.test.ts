import { readFile, rm } from 'node:fs/promises';
import {
  downloadMediaMessage,
  encryptedStream,
  getWAUploadToServer,
  initAuthCreds,
  makeWASocket,
} from '@whiskeysockets/baileys';
import type { SignalDataTypeMap, WAMessage } from '@whiskeysockets/baileys';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { egressFixture, recordsOf } from '../support/egress-fixture.js';
import type { EgressFixture } from '../support/egress-fixture.js';
import { payload, sha256 } from '../support/payload.js';
import { waitFor } from '../support/settle.js';

/**
 * Unmodified Baileys 7.0.0-rc14 with the egress's two faces, against the
 * test upstream: its WebSocket, its upload code (https.request with
 * `fetchAgent`) and its media download (fetch with `options.dispatcher`).
 */

const silent = pino({ level: 'silent' });
let fixture: EgressFixture;

beforeEach(async () => {
  fixture = await egressFixture({ policy: 'prefer-tunnel' });
});

afterEach(async () => {
  await fixture.close();
});

function memoryKeys() {
  const data = new Map<string, unknown>();
  return {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: Record<string, SignalDataTypeMap[T]> = {};
      for (const id of ids) {
        const value = data.get(`${type}:${id}`);
        if (value !== undefined) found[id] = value as SignalDataTypeMap[T];
      }
      return found;
    },
    async set(values: Record<string, Record<string, unknown>>) {
      for (const [type, entries] of Object.entries(values)) {
        for (const [id, value] of Object.entries(entries)) {
          if (value === null) data.delete(`${type}:${id}`);
          else data.set(`${type}:${id}`, value);
        }
      }
    },
  };
}

describe('Baileys 7.0.0-rc14 through the egress', () => {
  it(
    'opens its WebSocket through the agent with ' + 'its own Origin, and sends its Noise hello',
    async () => {
      fixture.upstream.webSocketMode = 'silent';
      const socket = makeWASocket({
        auth: { creds: initAuthCreds(), keys: memoryKeys() },
        logger: silent,
        agent: fixture.egress.agent,
        fetchAgent: fixture.egress.agent,
        options: { dispatcher: fixture.egress.dispatcher } as RequestInit,
        markOnlineOnConnect: false,
      });
      const upgrade = await waitFor(() => fixture.upstream.upgrades[0], 'the WebSocket upgrade');
      const hello = await waitFor(() => upgrade.messages[0], 'the first frame');
      socket.end(undefined);

      expect(upgrade.path).toBe('/ws/chat');
      expect(upgrade.servername).toBe('web.whatsapp.com');
      expect(upgrade.headers.origin).toBe('https://web.whatsapp.com');
      expect(hello.binary).toBe(true);
      // The Noise prologue: "WA", then the protocol version.
      expect([...hello.data.subarray(0, 2)]).toEqual([0x57, 0x41]);
      expect(recordsOf(fixture.audit)).toEqual([
        expect.objectContaining({ source: 'agent', leg: 'websocket', route: 'direct' }),
      ]);
    },
  );

  it('uploads media with its own upload code through the agent, byte-exact', async () => {
    const image = payload(200 * 1024, 'photo');
    const encrypted = await encryptedStream(image, 'image', { logger: silent });
    const token = encrypted.fileEncSha256.toString('base64url');
    let received = '';
    fixture.upstream.handle(`/mms/image/${token}`, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received = sha256(Buffer.concat(chunks));
        response.end(JSON.stringify({ url: 'https://mmg.whatsapp.net/x', direct_path: '/x' }));
      });
    });
    const upload = getWAUploadToServer(
      {
        customUploadHosts: [],
        fetchAgent: fixture.egress.agent,
        logger: silent,
        options: {},
      } as unknown as Parameters<typeof getWAUploadToServer>[0],
      async () => ({
        hosts: [{ hostname: 'mmg.whatsapp.net', maxContentLengthBytes: 10_000_000 }],
        auth: 'AUTH-TOKEN',
        ttl: 300,
        fetchDate: new Date(),
      }),
    );
    const result = await upload(encrypted.encFilePath, {
      mediaType: 'image',
      fileEncSha256B64: encrypted.fileEncSha256.toString('base64'),
      timeoutMs: 30_000,
    });
    const onDisk = await readFile(encrypted.encFilePath);
    await rm(encrypted.encFilePath, { force: true });

    expect(result).toMatchObject({ mediaUrl: 'https://mmg.whatsapp.net/x', directPath: '/x' });
    expect(received).toBe(sha256(onDisk));
    expect(recordsOf(fixture.audit)).toEqual([
      expect.objectContaining({ source: 'agent', leg: 'upload', host: 'mmg.whatsapp.net' }),
    ]);
  });

  it('downloads and decrypts media with downloadMediaMessage through the dispatcher', async () => {
    const image = payload(300 * 1024, 'photo');
    const encrypted = await encryptedStream(image, 'image', { logger: silent });
    const body = await readFile(encrypted.encFilePath);
    await rm(encrypted.encFilePath, { force: true });
    fixture.upstream.handle('/v/t62.7118-24/photo.enc', (_request, response) => {
      response.writeHead(200, { 'content-length': body.length });
      response.end(body);
    });
    const message = {
      key: { remoteJid: '1234@s.whatsapp.net', id: 'ABC', fromMe: false },
      message: {
        imageMessage: {
          url: 'https://mmg.whatsapp.net/v/t62.7118-24/photo.enc?ccb=11-4',
          directPath: '/v/t62.7118-24/photo.enc?ccb=11-4',
          mediaKey: encrypted.mediaKey,
          mimetype: 'image/jpeg',
        },
      },
    } as WAMessage;
    const buffer = await downloadMediaMessage(message, 'buffer', {
      options: { dispatcher: fixture.egress.dispatcher } as RequestInit,
    });

    expect(buffer.length).toBe(300 * 1024);
    expect(sha256(buffer)).toBe('be76c5a445bd22692a255a57ceed196dd264444cdb093d4eeac0f3856b10a768');
    expect(fixture.upstream.requests[0]!.headers.origin).toBe('https://web.whatsapp.com');
    expect(recordsOf(fixture.audit)).toEqual([
      expect.objectContaining({ source: 'dispatcher', leg: 'download', reason: 'no_peer' }),
    ]);
  });
});
