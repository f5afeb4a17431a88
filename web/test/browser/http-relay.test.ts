import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_DEFAULTS } from '../../src/peer/index.js';
import { relayGet, relayUpload } from '../support/worker.js';
import { credsFolder, directEgress, pairAndLogIn } from './support/baileys.js';
import { pageLog, snapshot } from './support/page.js';
import type { PageHandle } from './support/page.js';
import type { RoomWorker } from './support/room-worker.js';
import { joinTab, sha256Hex, uploadToken } from './support/session.js';
import { HTTP1_UPLOAD_HOST, PAGE_ORIGIN, Stack } from './support/stack.js';

const FIVE_MB = 5 * 1024 * 1024;
const OCTETS: [string, string][] = [['Content-Type', 'application/octet-stream']];

let stack: Stack;
let worker: RoomWorker;
let tab: PageHandle;
let mediaAuth: string;
let uploaded: { bytes: Buffer; directPath: string };
let creds: { remove(): Promise<void> } | undefined;

beforeAll(async () => {
  stack = await Stack.start();
  const standin = stack.standin!;
  // An account whose media auth the uploads carry; it pairs and logs in direct.
  const folder = await credsFolder();
  creds = folder;
  const egress = directEgress(standin, 'http-relay-direct');
  const { client } = await pairAndLogIn(standin, egress, folder.dir);
  mediaAuth = (await client.sock.refreshMediaConn(false)).auth;
  await client.stop();
  await egress.close();
  const bound = PEER_DEFAULTS.reconnect.connectionTimeoutMs + PEER_DEFAULTS.handshakeTimeoutMs;
  const joined = await joinTab(stack, 'http', bound);
  worker = joined.worker;
  tab = joined.tab;
  console.log(`[http] peer joined and named healthy primary in ${joined.joinMs} ms`);
});

afterAll(async () => {
  worker?.close();
  await stack?.stop();
  await creds?.remove();
});

function uploadUrl(host: string, bytes: Uint8Array): string {
  const token = uploadToken(bytes);
  const query = new URLSearchParams({ auth: mediaAuth, token });
  return `https://${host}/mms/document/${token}?${query}`;
}

async function standinRecordsSince(seq: number) {
  return (await stack.standin!.control.records(seq)).requests;
}

describe('HTTP exchanges relayed by the page in Chromium', () => {
  it('streams a 5 MB upload over HTTP/2 to the media host, byte-exact', async () => {
    const bytes = randomBytes(FIVE_MB);
    const { lastSeq } = await stack.standin!.control.records();
    const started = performance.now();
    const answer = await relayUpload(
      worker,
      { ...worker.ids(), url: uploadUrl('mmg.whatsapp.net', bytes), headers: OCTETS },
      bytes,
      { chunkSize: worker.limits.maxFrameSize - 16 },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`[http] 5 MB streamed upload through Chromium: ${(5 / seconds).toFixed(1)} MB/s`);

    expect(answer.reset).toBeNull();
    expect(answer.head?.status).toBe(200);
    const stored = JSON.parse(new TextDecoder().decode(answer.body)) as { direct_path: string };
    uploaded = { bytes, directPath: stored.direct_path };
    const media = await stack.standin!.control.media();
    expect(media.find((file) => file.directPath === stored.direct_path)).toMatchObject({
      sha256: sha256Hex(bytes),
      size: FIVE_MB,
    });
    const posts = (await standinRecordsSince(lastSeq)).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    // Streamed: HTTP/2 and no Content-Length, since the page handed fetch a stream.
    expect(posts[0]).toMatchObject({ httpVersion: '2.0', origin: PAGE_ORIGIN, status: 200 });
    expect(posts[0]!.headers.map(([name]) => name)).not.toContain('content-length');
    expect(posts[0]!.userAgent).toMatch(/Chrome\/156\./);
  });

  it('downloads the 5 MB file byte-exact, reading only the headers a page may read', async () => {
    const started = performance.now();
    const answer = await relayGet(worker, {
      ...worker.ids(),
      url: `https://mmg.whatsapp.net${uploaded.directPath}`,
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`[http] 5 MB download through Chromium: ${(5 / seconds).toFixed(1)} MB/s`);

    expect(answer.reset).toBeNull();
    expect(answer.head).toMatchObject({ status: 200, partialHeaders: true, opaque: false });
    expect(sha256Hex(answer.body)).toBe(sha256Hex(uploaded.bytes));
    // The media host also sends accept-ranges, cross-origin-resource-policy and
    // timing-allow-origin; without Access-Control-Expose-Headers a page reads none of them.
    // Content-Length is readable but not passed on: whether the body was encoded
    // (Content-Encoding) is hidden from the page, so its length may not be the body's.
    expect(answer.head?.headers.map(([name]) => name).sort()).toEqual([
      'cache-control',
      'content-type',
    ]);
  });

  it('buffers a 5 MB upload against an HTTP/1.1-only upload host, sent once', async () => {
    const bytes = randomBytes(FIVE_MB);
    const recordsBefore = stack.http1!.records.length;
    const answer = await relayUpload(
      worker,
      { ...worker.ids(), url: uploadUrl(HTTP1_UPLOAD_HOST, bytes), headers: OCTETS },
      bytes,
    );

    expect(answer.reset).toBeNull();
    expect(answer.head?.status).toBe(200);
    const posts = stack.http1!.records.slice(recordsBefore).filter((r) => r.method === 'POST');
    expect(posts).toEqual([
      {
        method: 'POST',
        path: `/mms/document/${uploadToken(bytes)}`,
        httpVersion: '1.1',
        origin: PAGE_ORIGIN,
        contentLength: String(FIVE_MB),
        transferEncoding: null,
        bodyBytes: FIVE_MB,
        bodySha256: sha256Hex(bytes),
      },
    ]);
    const media = await stack.standin!.control.media();
    expect(media.some((file) => file.sha256 === sha256Hex(bytes))).toBe(true);
    const errors = (await pageLog(tab)).filter((entry) => entry.name === 'error');
    expect(errors).toEqual([]);
  });

  it('drops the request headers a page cannot set and says which', async () => {
    const { lastSeq } = await stack.standin!.control.records();
    const answer = await relayGet(worker, {
      ...worker.ids(),
      url: `https://mmg.whatsapp.net${uploaded.directPath}`,
      headers: [
        ['Origin', 'https://web.whatsapp.com'],
        ['User-Agent', 'Baileys'],
        ['Cookie', 'session=1'],
        ['Accept-Encoding', 'gzip'],
        ['Range', 'bytes=0-15'],
      ],
    });

    expect(answer.head).toMatchObject({
      status: 206,
      droppedRequestHeaders: ['origin', 'user-agent', 'cookie', 'accept-encoding'],
    });
    expect(answer.body).toEqual(new Uint8Array(uploaded.bytes.subarray(0, 16)));
    const [get] = (await standinRecordsSince(lastSeq)).filter((r) => r.method === 'GET');
    expect(get).toMatchObject({ origin: PAGE_ORIGIN, status: 206 });
    expect(get!.userAgent).toMatch(/Chrome\/156\./);
    expect(get!.headers.find(([name]) => name === 'cookie')).toBeUndefined();
  });

  it('reports a redirect as opaque (status 0) and follows nothing', async () => {
    const recordsBefore = stack.http1!.records.length;
    const { lastSeq } = await stack.standin!.control.records();
    const answer = await relayGet(worker, {
      ...worker.ids(),
      url: `https://${HTTP1_UPLOAD_HOST}/redirect`,
    });

    expect(answer.reset).toBeNull();
    expect(answer.head).toMatchObject({ status: 0, opaque: true, headers: [] });
    expect(stack.http1!.records.slice(recordsBefore).map((r) => r.path)).toEqual(['/redirect']);
    const followed = (await standinRecordsSince(lastSeq)).filter((r) => r.path === '/elsewhere');
    expect(followed).toEqual([]);
  });

  it('ends every exchange with no dropped frame and no stream left open', async () => {
    const { stats } = await snapshot(tab);
    expect(stats).toMatchObject({
      dropped: { total: 0 },
      streams: { active: 0, started: 5, succeeded: 5, failed: {} },
    });
  });
});
