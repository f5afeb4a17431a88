import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa } from '../support/test-ca.js';
import { report, type ApiClient } from './support/client.js';
import { startHttpsServer, type TestHttpsServer } from './support/https-server.js';
import { pairThroughApi, PAIR_MS, receivedBy } from './support/pair.js';
import { startTestService, type TestService } from './support/service.js';
import { startStandinProcess, type StandinProcess } from './support/standin-process.js';

const TENANT = 'bodega-norte';
const PHONE = '15550107201';
const MEDIA = `/api/baileys/sessions/${TENANT}/messages/media`;
const MAX_BYTES = 256 * 1024;
const FETCH_MS = 1_500;

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE' +
    'hQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let standin: StandinProcess;
let worker: TestService;
let tenant: ApiClient;
let contact: { phone: string };
/** The allowlisted media host (`media.example.test`, mapped to loopback). */
let media: TestHttpsServer;
/** A server on loopback that nobody allowed: it must never be reached. */
let internal: TestHttpsServer;

beforeAll(async () => {
  standin = await startStandinProcess();
  const ca = createTestCa();
  media = await startHttpsServer(ca, ['media.example.test']);
  internal = await startHttpsServer(ca, ['internal.example.test', 'localhost', '127.0.0.1', '::1']);
  const png = (_: unknown, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  };
  media.handle('/menu.png', png);
  internal.handle('/secret.png', png);
  const redirect = (location: string) => (_: unknown, response: ServerResponse) => {
    response.writeHead(302, { location }).end();
  };
  media.handle('/moved.png', redirect('/menu.png'));
  media.handle('/to-loopback', redirect(`https://127.0.0.1:${internal.port}/secret.png`));
  media.handle(
    '/to-internal',
    redirect(`https://internal.example.test:${internal.port}/secret.png`),
  );
  media.handle('/to-metadata', redirect('https://169.254.169.254/latest/meta-data/'));
  media.handle('/to-private', redirect('https://10.20.30.40/secret.png'));
  media.handle('/to-plain-http', redirect(`http://media.example.test:${media.port}/menu.png`));
  media.handle('/loop', redirect('/loop'));
  media.handle('/big.bin', (_, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    // No length announced: the cap must hold while the body streams.
    for (let i = 0; i < 8; i++) response.write(Buffer.alloc(MAX_BYTES / 4, i));
    response.end();
  });
  media.handle('/never', () => undefined);
  worker = await startTestService(standin, {
    extraCa: [ca.cert],
    hostMap: {
      'media.example.test': `127.0.0.1:${media.port}`,
      'internal.example.test': `127.0.0.1:${internal.port}`,
    },
    env: {
      PASARELA_URL_ALLOWLIST: 'media.example.test',
      PASARELA_MEDIA_MAX_BYTES: String(MAX_BYTES),
      PASARELA_MEDIA_FETCH_TIMEOUT_MS: String(FETCH_MS),
    },
  });
  tenant = await pairThroughApi(worker, standin, TENANT, PHONE);
  contact = await standin.control.createContact({ name: 'Luis' });
}, PAIR_MS * 2);

afterAll(async () => {
  await worker?.close();
  await media?.close();
  await internal?.close();
  await standin?.close();
});

const send = (url: string, caption = 'carta') =>
  tenant.post(MEDIA, { to: contact.phone, kind: 'image', url, caption });

describe('media by URL, fetched by the worker through the guard', () => {
  it(
    'delivers a file from an allowlisted host ' + 'byte-exact, following a redirect there',
    async () => {
      const answer = await send(`https://media.example.test:${media.port}/moved.png`, 'menú');
      expect(answer.status).toBe(201);
      const received = await receivedBy(
        standin,
        contact.phone,
        (m) => m.id === answer.body['id'] && m.media?.sha256 != null,
      );
      expect(received.media?.sha256).toBe(createHash('sha256').update(PNG).digest('hex'));
      expect(received.media?.mimetype).toBe('image/png');
      expect(media.requests.map((r) => r.path)).toEqual(['/moved.png', '/menu.png']);
      // Both hops went out through the tenant's own egress, as its audit shows.
      const audit = await worker.admin.get<{ recent: { tenant: string; host: string }[] }>(
        '/api/egress/audit',
      );
      const hops = audit.body.recent.filter((r) => r.host === 'media.example.test');
      expect(hops.map((r) => r.tenant)).toEqual(hops.map(() => TENANT));
      expect(hops.length).toBeGreaterThan(0);
    },
  );

  it.each([
    ['loopback by address', () => `https://127.0.0.1:${internal.port}/secret.png`],
    ['loopback IPv6', () => `https://[::1]:${internal.port}/secret.png`],
    ['loopback by name', () => `https://localhost:${internal.port}/secret.png`],
    [
      'a mapped name nobody allowed',
      () => `https://internal.example.test:${internal.port}/secret.png`,
    ],
    ['a private address', () => 'https://10.20.30.40/secret.png'],
    ['the metadata address', () => 'https://169.254.169.254/latest/meta-data/'],
    ['a link-local address', () => 'https://169.254.10.10/x.png'],
    ['IPv4 inside IPv6', () => 'https://[::ffff:10.0.0.1]/x.png'],
  ])('refuses %s with host_not_allowed and opens no connection', async (_, url) => {
    const answer = await send(url());
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: { code: 'host_not_allowed' } });
    expect(internal.requests).toEqual([]);
  });

  it.each([
    ['loopback', '/to-loopback'],
    ['a mapped name nobody allowed', '/to-internal'],
    ['the metadata address', '/to-metadata'],
    ['a private address', '/to-private'],
  ])('refuses a redirect from the allowlisted host to %s', async (_, path) => {
    const answer = await send(`https://media.example.test:${media.port}${path}`);
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ error: { code: 'host_not_allowed' } });
    expect(internal.requests).toEqual([]);
  });

  it('refuses plain http, directly and through a redirect', async () => {
    const direct = await send(`http://media.example.test:${media.port}/menu.png`);
    const redirected = await send(`https://media.example.test:${media.port}/to-plain-http`);
    expect([direct.status, redirected.status]).toEqual([400, 400]);
    expect(direct.body).toMatchObject({ error: { code: 'url_not_allowed' } });
    expect(redirected.body).toMatchObject({ error: { code: 'url_not_allowed' } });
  });

  it('stops a redirect loop at the configured number of hops', async () => {
    const before = media.requests.length;
    const answer = await send(`https://media.example.test:${media.port}/loop`);
    expect(answer.body).toMatchObject({ error: { code: 'too_many_redirects' } });
    expect(media.requests.length - before).toBe(worker.settings.api.mediaMaxRedirects + 1);
  });

  it('cuts a body that grows past the size cap', async () => {
    const answer = await send(`https://media.example.test:${media.port}/big.bin`);
    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({
      error: { code: 'media_too_large', context: { maxBytes: MAX_BYTES } },
    });
  });

  it('gives up on a host that never answers at the fetch deadline', async () => {
    const started = Date.now();
    const answer = await send(`https://media.example.test:${media.port}/never`);
    report(`fetch deadline ${FETCH_MS} ms; answered after ${Date.now() - started} ms`);
    expect(answer.status).toBe(504);
    expect(answer.body).toMatchObject({ error: { code: 'fetch_timeout' } });
  });

  it('sends a text with a link without a preview: the worker fetches nothing', async () => {
    media.handle('/carta', (_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<title>Carta</title>');
    });
    const url = `https://media.example.test:${media.port}/carta`;
    const answer = await tenant.post(`/api/baileys/sessions/${TENANT}/messages/text`, {
      to: contact.phone,
      text: `Nuestra carta: ${url}`,
      linkPreview: true,
    });
    expect(answer.status).toBe(201);
    const received = await receivedBy(standin, contact.phone, (m) => m.id === answer.body['id']);
    expect(received.text).toBe(`Nuestra carta: ${url}`);
    expect(JSON.stringify(received.message)).not.toContain('matchedText');
    expect(media.requests.filter((r) => r.path === '/carta')).toEqual([]);
  });

  it('leaves the key free after a refused fetch: nothing reached WhatsApp', async () => {
    const headers = { 'idempotency-key': 'menu-retry' };
    const refused = await tenant.post(
      MEDIA,
      { to: contact.phone, kind: 'image', url: 'https://10.0.0.9/menu.png' },
      { headers },
    );
    expect(refused.status).toBe(422);
    const record = await tenant.get(`/api/baileys/sessions/${TENANT}/sends/menu-retry`);
    expect(record.body).toMatchObject({ state: 'failed', error: { code: 'host_not_allowed' } });
  });
});
