import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserLikeFetch } from '../src/node/index.js';
import type { FetchLike } from '../src/peer/index.js';

const rules = { origin: 'https://orders.pizzeria.test', userAgent: 'PageAgent/1' };
let server: http.Server;
let base: string;
let seen: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
let answer: (request: http.IncomingMessage, response: http.ServerResponse) => void;

beforeEach(async () => {
  seen = [];
  server = http.createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const fetchLikeAPage: FetchLike = browserLikeFetch((url, init) => fetch(url, init), rules);

describe('Node fetch shaped like a page’s', () => {
  it('sends the page’s Origin and User-Agent and exposes only CORS-readable headers', async () => {
    answer = (_request, response) => {
      response.writeHead(200, {
        'access-control-allow-origin': rules.origin,
        'content-type': 'text/plain',
        'set-cookie': 'a=1',
        'x-hidden': '1',
      });
      response.end('hi');
    };
    const response = await fetchLikeAPage(`${base}/x`, { headers: { Cookie: 'c=1' } });
    expect(response.type).toBe('cors');
    expect([...response.headers]).toEqual([['content-type', 'text/plain']]);
    expect(await response.text()).toBe('hi');
    expect(seen[0]?.headers).toMatchObject({ origin: rules.origin, 'user-agent': 'PageAgent/1' });
    expect(seen[0]?.headers.cookie).toBeUndefined();
  });

  it('fails with a bare TypeError when the answer does not allow the page’s origin', async () => {
    answer = (_request, response) => response.writeHead(200).end('secret');
    await expect(fetchLikeAPage(`${base}/x`, {})).rejects.toThrow(new TypeError('Failed to fetch'));
  });

  it('preflights a non-simple request and stops when the preflight does not allow it', async () => {
    answer = (_request, response) =>
      response.writeHead(204, { 'access-control-allow-origin': '*' }).end();
    await expect(
      fetchLikeAPage(`${base}/up`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: new Uint8Array(1),
      }),
    ).rejects.toThrow(TypeError);
    expect(
      seen.map((request) => [request.method, request.headers['access-control-request-headers']]),
    ).toEqual([['OPTIONS', 'content-type']]);
  });

  it(
    'gives an opaque redirect for a manual ' + 'redirect and an opaque answer for no-cors',
    async () => {
      answer = (request, response) => {
        if (request.url === '/r') response.writeHead(302, { location: '/elsewhere' }).end();
        else response.writeHead(200).end('x');
      };
      const redirect = await fetchLikeAPage(`${base}/r`, { redirect: 'manual' });
      expect([redirect.type, redirect.status, [...redirect.headers]]).toEqual([
        'opaqueredirect',
        0,
        [],
      ]);
      const opaque = await fetchLikeAPage(`${base}/`, { mode: 'no-cors' });
      expect([opaque.type, opaque.status]).toEqual(['opaque', 0]);
      await expect(
        fetchLikeAPage(`${base}/`, { mode: 'no-cors', redirect: 'manual' }),
      ).rejects.toThrow(TypeError);
    },
  );
});
