import { describe, expect, it } from 'vitest';
import { contentLength, forwardableHeaders } from '../../src/egress/classify.js';
import { isBrowserRelayable, isReplaySafe, legOf } from '../../src/egress/index.js';

describe('the leg of a request', () => {
  it.each([
    ['GET', false, 'download'],
    ['HEAD', false, 'download'],
    ['OPTIONS', false, 'download'],
    ['get', false, 'download'],
    ['POST', false, 'upload'],
    ['PUT', false, 'upload'],
    ['DELETE', false, 'upload'],
    ['GET', true, 'websocket'],
  ] as const)('%s (upgrade %s) travels the %s leg', (method, upgrade, leg) => {
    expect(legOf(method, upgrade)).toBe(leg);
  });
});

describe('replay safety', () => {
  const media = 'https://mmg.whatsapp.net';
  it.each([
    ['GET', `${media}/v/t62/abc?auth=x`, true, true],
    ['HEAD', `${media}/v/t62/abc`, true, true],
    ['POST', `${media}/mms/image/SHA?auth=a&token=SHA`, true, true],
    ['POST', `${media}/SHA?auth=a&token=SHA`, true, true],
    ['POST', `${media}/mms/image/a%2Bb?token=a%2Bb`, true, true],
    ['POST', `${media}/mms/image/OTHER?token=SHA`, true, false],
    ['POST', `${media}/mms/image/SHA?auth=a`, true, false],
    ['POST', 'https://example.org/upload/SHA?token=SHA', false, false],
    ['PUT', `${media}/mms/image/SHA?token=SHA`, true, false],
  ] as const)('%s %s (WhatsApp %s) → %s', (method, url, whatsapp, expected) => {
    expect(isReplaySafe(method, new URL(url), whatsapp)).toBe(expected);
  });
});

describe('headers sent on to the next hop', () => {
  it('keeps order, case and repeats, and drops hop-by-hop fields', () => {
    // prettier-ignore
    const raw = [
      'Host', 'mmg.whatsapp.net',
      'Connection', 'keep-alive, X-Trace',
      'X-Trace', 'abc',
      'Keep-Alive', 'timeout=5',
      'Transfer-Encoding', 'chunked',
      'Origin', 'https://web.whatsapp.com',
      'Cookie', 'a=1',
      'cookie', 'b=2',
      'Expect', '100-continue',
      'TE', 'trailers',
      'Upgrade', 'h2c',
    ];

    // prettier-ignore
    expect(forwardableHeaders(raw)).toEqual([
      'Host', 'mmg.whatsapp.net',
      'Origin', 'https://web.whatsapp.com',
      'Cookie', 'a=1',
      'cookie', 'b=2',
    ]);
  });

  it('keeps Connection and Upgrade on a WebSocket upgrade', () => {
    // prettier-ignore
    const raw = [
      'Sec-WebSocket-Version', '13',
      'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==',
      'Connection', 'Upgrade',
      'Upgrade', 'websocket',
      'Sec-WebSocket-Extensions', 'permessage-deflate; client_max_window_bits',
      'Origin', 'https://web.whatsapp.com',
      'Host', 'web.whatsapp.com',
    ];

    expect(forwardableHeaders(raw, true)).toEqual(raw);
  });

  it.each([
    [['Content-Length', '5242880'], 5_242_880],
    [['content-length', ' 12 '], 12],
    [['Content-Length', '-1'], undefined],
    [['Content-Length', '1e3'], undefined],
    [['Content-Type', 'text/plain'], undefined],
  ] as const)('reads the declared length from %j as %s', (raw, expected) => {
    expect(contentLength(raw)).toBe(expected);
  });
});

describe('which WhatsApp requests a browser page could carry', () => {
  it.each([
    ["the version file on the web app's origin", 'web.whatsapp.com', 'download', false],
    ["a POST to the web app's origin", 'web.whatsapp.com', 'upload', false],
    ["the WebSocket to the web app's origin", 'web.whatsapp.com', 'websocket', true],
    ['a media download', 'mmg.whatsapp.net', 'download', true],
    ['an upload to a media host', 'media.fstandin-1.fna.whatsapp.net', 'upload', true],
  ] as const)('%s (%s, %s) → %s', (_name, host, leg, expected) => {
    expect(isBrowserRelayable(host, leg)).toBe(expected);
  });
});
