import { describe, expect, it } from 'vitest';
import {
  isForbiddenRequestHeader,
  pageRequestHeaders,
  readableResponseHeaders,
} from '../src/peer/index.js';

describe('request headers a page may not send', () => {
  it.each([
    ['Origin', 'https://web.whatsapp.com', true],
    ['Cookie', 'a=1', true],
    ['Host', 'mmg.whatsapp.net', true],
    ['User-Agent', 'Baileys', true],
    ['Content-Length', '10', true],
    ['Transfer-Encoding', 'chunked', true],
    ['Connection', 'close', true],
    ['Keep-Alive', 'timeout=5', true],
    ['Accept-Encoding', 'gzip', true],
    ['Referer', 'https://x.example/', true],
    ['Sec-WebSocket-Key', 'abc', true],
    ['sec-fetch-site', 'cross-site', true],
    ['Proxy-Authorization', 'Basic eA==', true],
    ['X-HTTP-Method-Override', 'GET, TRACE', true],
    ['X-Method-Override', 'PUT', false],
    ['Range', 'bytes=0-1', false],
    ['Content-Type', 'application/octet-stream', false],
    ['Authorization', 'Bearer x', false],
    ['X-Wa-Client', '1', false],
  ])('%s: %s is forbidden: %s', (name, value, forbidden) => {
    expect(isForbiddenRequestHeader(name, value)).toBe(forbidden);
  });

  it('keeps the allowed ones in order and names each dropped one once, lower-case', () => {
    expect(
      pageRequestHeaders([
        ['Cookie', 'a=1'],
        ['X-One', '1'],
        ['cookie', 'b=2'],
        ['X-Two', '2'],
        ['ORIGIN', 'x'],
      ]),
    ).toEqual({
      headers: [
        ['X-One', '1'],
        ['X-Two', '2'],
      ],
      dropped: ['cookie', 'origin'],
    });
  });
});

function response(type: string, headers: [string, string][]) {
  return { type, headers: new Headers(headers) };
}

describe('response headers a page can read', () => {
  it(
    'are the safelisted and exposed ones of an ' + 'unfiltered (Node) response, never Set-Cookie',
    () => {
      const seen = response('basic', [
        ['Content-Type', 'application/octet-stream'],
        ['Content-Length', '42'],
        ['Set-Cookie', 'session=1'],
        ['X-Internal', 'hidden'],
        ['X-Exposed', 'shown'],
        ['Access-Control-Expose-Headers', 'X-Exposed, Set-Cookie'],
        ['Last-Modified', 'Tue, 01 Dec 2026 00:00:00 GMT'],
      ]);
      expect(readableResponseHeaders(seen)).toEqual([
        ['content-length', '42'],
        ['content-type', 'application/octet-stream'],
        ['last-modified', 'Tue, 01 Dec 2026 00:00:00 GMT'],
        ['x-exposed', 'shown'],
      ]);
    },
  );

  it('are every header but Set-Cookie when the response exposes all with a wildcard', () => {
    const seen = response('default', [
      ['X-A', '1'],
      ['Set-Cookie', 'x=1'],
      ['Access-Control-Expose-Headers', '*'],
    ]);
    expect(readableResponseHeaders(seen)).toEqual([
      ['access-control-expose-headers', '*'],
      ['x-a', '1'],
    ]);
  });

  it('are taken as the browser filtered them for a cors response', () => {
    const seen = response('cors', [
      ['Content-Type', 'image/jpeg'],
      ['X-Exposed', 'shown'],
    ]);
    expect(readableResponseHeaders(seen)).toEqual([
      ['content-type', 'image/jpeg'],
      ['x-exposed', 'shown'],
    ]);
  });

  it('drop Content-Length and Content-Encoding of a body the runtime decoded', () => {
    const seen = response('basic', [
      ['Content-Encoding', 'gzip'],
      ['Content-Length', '10'],
      ['Content-Type', 'text/plain'],
      ['Access-Control-Expose-Headers', 'Content-Encoding'],
    ]);
    expect(readableResponseHeaders(seen)).toEqual([['content-type', 'text/plain']]);
  });

  it('drop a Content-Length whose encoding a browser did not let the page see', () => {
    const seen = response('cors', [
      ['Content-Length', '10'],
      ['Content-Type', 'text/plain'],
    ]);
    expect(readableResponseHeaders(seen)).toEqual([['content-type', 'text/plain']]);
  });
});
