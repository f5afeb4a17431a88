import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  downloadContentFromMessage,
  downloadMediaMessage,
  fetchLatestWaWebVersion,
  prepareWAMessageMedia,
  type proto,
} from '@whiskeysockets/baileys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../src/index.js';
import { authFolder, pairAndLogIn, type AuthFolder, type Client } from './support/client.js';
import { sleep, waitFor } from './support/wait.js';

let standin: Standin;
let auth: AuthFolder;
let client: Client;
let phone: string;

beforeAll(async () => {
  standin = await startStandin();
  auth = await authFolder();
  const session = await pairAndLogIn(standin, auth);
  client = session.client;
  phone = session.paired.phone;
});

afterAll(async () => {
  await client.stop();
  await standin.close();
  await auth.remove();
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Fetch options for Baileys' downloads: the tenant's dispatcher, as the product passes it. */
function fetchOptions(): RequestInit {
  return { dispatcher: client.egress.dispatcher } as RequestInit;
}

/** Uploads a document through Baileys' own media path and returns its message. */
async function uploadDocument(bytes: Buffer): Promise<proto.IMessage> {
  return prepareWAMessageMedia(
    { document: bytes, mimetype: 'application/pdf', fileName: 'menu.pdf' },
    { upload: client.sock.waUploadToServer, logger: client.logger },
  );
}

function download(message: proto.IMessage): Promise<Buffer> {
  return downloadMediaMessage(
    { key: { remoteJid: `${phone}@s.whatsapp.net`, fromMe: true, id: 'media-test' }, message },
    'buffer',
    { options: fetchOptions() },
  );
}

async function drain(stream: Readable, onChunk: (size: number) => void = () => undefined) {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    onChunk((chunk as Buffer).length);
  }
  return Buffer.concat(chunks);
}

describe('media through Baileys own upload and download', () => {
  it('uploads a 5 MB file and downloads it byte-exact', async () => {
    const { lastSeq } = await standin.control.records();
    const original = randomBytes(5 * 1024 * 1024);
    const message = await uploadDocument(original);
    const document = message.documentMessage as proto.Message.IDocumentMessage;
    const downloaded = await download(message);
    expect(sha256(downloaded)).toBe(sha256(original));

    const { requests } = await standin.control.records(lastSeq);
    const media = requests.filter((request) => request.kind === 'http');
    expect(
      media.map((request) => [request.method, request.host, request.status, request.account]),
    ).toEqual([
      ['POST', 'media.fstandin-1.fna.whatsapp.net', 200, phone],
      ['GET', 'mmg.whatsapp.net', 200, phone],
    ]);
    const [upload, fetch] = media;
    expect(upload?.path).toMatch(/^\/mms\/document\/[\w-]+\?auth=REDACTED&token=[\w-]+$/);
    expect([upload?.origin, upload?.transport, upload?.sni]).toEqual([
      'https://web.whatsapp.com',
      'tls',
      'media.fstandin-1.fna.whatsapp.net',
    ]);
    expect(fetch?.path).toBe(document.directPath);
    const stored = (await standin.control.media()).find((item) => item.account === phone);
    expect(stored?.sha256).toBe(Buffer.from(document.fileEncSha256 as Uint8Array).toString('hex'));
    expect(stored?.kind).toBe('document');
  });

  it('serves a byte range of a file, which Baileys decrypts to the same bytes', async () => {
    const original = randomBytes(200_000);
    const message = await uploadDocument(original);
    const { lastSeq } = await standin.control.records();
    const stream = await downloadContentFromMessage(
      message.documentMessage as proto.Message.IDocumentMessage,
      'document',
      { startByte: 70_000, endByte: 90_000, options: fetchOptions() },
    );
    const part = await drain(stream);
    expect(sha256(part)).toBe(sha256(original.subarray(70_000, 90_000)));
    const { requests } = await standin.control.records(lastSeq);
    expect(requests.map((request) => request.status)).toEqual([206]);
  });

  it(
    'answers a download with a wildcard allow-origin, ' + 'and none under the refuseCors fault',
    async () => {
      const message = await uploadDocument(randomBytes(10_000));
      const { lastSeq } = await standin.control.records();
      await download(message);
      await standin.control.setAccountFaults(phone, { refuseCors: true });
      // Node's fetch does not enforce CORS: Baileys still reads the file; a browser would not.
      expect((await download(message)).length).toBe(10_000);
      await standin.control.clearAccountFaults(phone);
      const { requests } = await standin.control.records(lastSeq);
      expect(
        requests.map((request) => request.responseHeaders?.['access-control-allow-origin'] ?? null),
      ).toEqual(['*', null]);
    },
  );
});

describe('media faults as Baileys sees them', () => {
  it('holds a download before its headers until the fault is cleared', async () => {
    const original = randomBytes(64 * 1024);
    const message = await uploadDocument(original);
    const directPath = message.documentMessage?.directPath;
    await standin.control.setAccountFaults(phone, { holdMediaHeaders: true });
    let settled = false;
    const pending = download(message).finally(() => (settled = true));
    await waitFor(
      async () => (await standin.control.records()).requests.some((r) => r.path === directPath),
      'the held download to arrive',
    );
    await sleep(300);
    expect(settled).toBe(false);
    const heldRecord = (await standin.control.records()).requests.find(
      (r) => r.path === directPath,
    );
    expect(heldRecord?.status).toBeNull();
    await standin.control.clearAccountFaults(phone);
    expect(sha256(await pending)).toBe(sha256(original));
  });

  it('holds the answer to an upload: Baileys waits for it, then has its URLs', async () => {
    const original = randomBytes(32 * 1024);
    await standin.control.setAccountFaults(phone, { holdMediaHeaders: true });
    let settled = false;
    const pending = uploadDocument(original).finally(() => (settled = true));
    await waitFor(
      async () =>
        (await standin.control.records()).requests.some(
          (r) => r.method === 'POST' && r.status === null,
        ),
      'the held upload to arrive',
    );
    await sleep(300);
    expect(settled).toBe(false);
    await standin.control.clearAccountFaults(phone);
    const message = await pending;
    expect(message.documentMessage?.directPath).toMatch(/^\/v\/t62\.7119-24\//);
    expect(sha256(await download(message))).toBe(sha256(original));
  });

  it('stalls a download body after its headers until the fault is cleared', async () => {
    const original = randomBytes(512 * 1024);
    const message = await uploadDocument(original);
    await standin.control.setAccountFaults(phone, { stallMediaBody: true });
    const stream = await downloadContentFromMessage(
      message.documentMessage as proto.Message.IDocumentMessage,
      'document',
      { options: fetchOptions() },
    );
    let received = 0;
    const whole = drain(stream, (size) => (received += size));
    await waitFor(() => received > 0, 'the first bytes of the body');
    await sleep(300);
    const whileStalled = received;
    expect(whileStalled).toBeLessThan(original.length);
    await standin.control.clearAccountFaults(phone);
    expect(sha256(await whole)).toBe(sha256(original));
    console.log(`received ${whileStalled} of ${original.length} bytes while the body was stalled`);
  });
});

describe('the web version file', () => {
  it("gives Baileys' version lookup the configured client revision", async () => {
    const { lastSeq } = await standin.control.records();
    const result = await fetchLatestWaWebVersion(fetchOptions());
    expect(result).toEqual({ version: [2, 3000, 1043857760], isLatest: true });
    const { requests } = await standin.control.records(lastSeq);
    expect(requests.map((request) => [request.host, request.path, request.status])).toEqual([
      ['web.whatsapp.com', '/sw.js', 200],
    ]);
    expect(requests[0]?.userAgent).toContain('Chrome/');
  });
});
