import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../src/messages/allowlist.js';
import { GuardedFetcher } from '../../src/messages/guarded-fetch.js';
import { guardedLinkPreview } from '../../src/messages/link-preview.js';
import { UrlGuard } from '../../src/messages/url-guard.js';
import { startHttpsServer, type TestHttpsServer } from '../api/support/https-server.js';
import { createTestCa } from '../support/test-ca.js';

let pages: TestHttpsServer;
let fetcher: GuardedFetcher;
const LIMITS = { maxBytes: 64 * 1024, timeoutMs: 2_000, maxRedirects: 2 };

beforeAll(async () => {
  const ca = createTestCa();
  pages = await startHttpsServer(ca, ['127.0.0.1']);
  const html = (body: string) => (_: unknown, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  };
  pages.handle(
    '/menu',
    html(
      '<html><head><title>Fallback</title>' +
        '<meta property="og:title" content="La carta &amp; los vinos">' +
        '<meta name="description" content="Pizzas al horno de leña"></head></html>',
    ),
  );
  pages.handle('/plain', html('<html><head><title> Sólo título </title></head></html>'));
  pages.handle('/image', (_, response) => {
    response.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.alloc(10));
  });
  pages.handle('/to-metadata', (_, response) => {
    response.writeHead(302, { location: 'https://169.254.169.254/' }).end();
  });
  fetcher = new GuardedFetcher({
    guard: new UrlGuard({ allowlist: parseAllowlist('127.0.0.1') }),
    ca: ca.cert,
  });
});

afterAll(async () => {
  await pages?.close();
});

describe('a link preview made the guarded way', () => {
  it("reads the page's Open Graph title and its description", async () => {
    const url = `https://127.0.0.1:${pages.port}/menu`;
    const preview = await guardedLinkPreview(`Mirad ${url}.`, fetcher, LIMITS);
    expect(preview).toEqual({
      'canonical-url': url,
      'matched-text': url,
      title: 'La carta & los vinos',
      description: 'Pizzas al horno de leña',
    });
  });

  it('falls back to the title element', async () => {
    const url = `https://127.0.0.1:${pages.port}/plain`;
    expect(await guardedLinkPreview(url, fetcher, LIMITS)).toMatchObject({ title: 'Sólo título' });
  });

  it('makes none for a text without an https link, or a link that is not a page', async () => {
    expect(await guardedLinkPreview('http://example.com sin https', fetcher, LIMITS)).toBeNull();
    const image = `https://127.0.0.1:${pages.port}/image`;
    expect(await guardedLinkPreview(image, fetcher, LIMITS)).toBeNull();
  });

  it('refuses a page that redirects to the metadata address', async () => {
    const url = `https://127.0.0.1:${pages.port}/to-metadata`;
    await expect(guardedLinkPreview(url, fetcher, LIMITS)).rejects.toMatchObject({
      code: 'host_not_allowed',
    });
  });
});
