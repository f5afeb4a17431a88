import { describe, expect, it } from 'vitest';
import { PEER_DEFAULTS, RelayPeer } from '../src/peer/index.js';
import type { PeerOptions } from '../src/peer/index.js';
import { NodeWebSocket } from './support/peer.js';

const base: PeerOptions = {
  host: '127.0.0.1:1',
  tenant: 'pizzeria-1',
  getToken: () => 'pt1.x.y',
  WebSocket: NodeWebSocket,
  fetch: (input, init) => fetch(input, init),
  page: null,
};

function refusal(options: Partial<PeerOptions>): string {
  try {
    new RelayPeer({ ...base, ...options } as PeerOptions);
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('peer options', () => {
  it.each([
    [{ host: '' }, 'peer option host: must name the room host'],
    [
      { tenant: 'Pizzeria One' },
      'peer option tenant: must be a tenant id (lower-case letters, digits, - and _)',
    ],
    [{ maxStreams: 0 }, 'peer option maxStreams: must be a positive integer, got 0'],
    [{ roomSilenceMs: 1.5 }, 'peer option roomSilenceMs: must be a positive integer, got 1.5'],
    [
      { reconnect: { maxRetries: -1 } },
      'peer option reconnect.maxRetries: must be a whole number or Infinity',
    ],
    [
      { reconnect: { minDelayMs: 500, maxDelayMs: 100 } },
      'peer option reconnect.maxDelayMs: must not be below reconnect.minDelayMs',
    ],
    [
      { limits: { maxFrameSize: 10 } },
      'peer option limits.maxFrameSize: Too small: expected number to be >=1024',
    ],
    [
      { mode: 'development', devHostMap: { 'example.com': 'http://127.0.0.1:8080' } },
      'peer option devHostMap: key "example.com" is not a WhatsApp host name',
    ],
    [
      { mode: 'development', devHostMap: { 'web.whatsapp.com': 'http://127.0.0.1:8080/ws' } },
      'peer option devHostMap: value for web.whatsapp.com must be an origin without a path',
    ],
    [
      { mode: 'development', devHostMap: { 'web.whatsapp.com': 'ftp://127.0.0.1' } },
      'peer option devHostMap: value for web.whatsapp.com must be an http: or https: origin',
    ],
    [
      { devHostMap: { 'web.whatsapp.com': 'http://127.0.0.1:8080' } },
      'peer option devHostMap: is refused unless mode is "development"',
    ],
    [
      { probes: { websocket: { url: 'wss://10.0.0.1/ws' } } },
      'peer option probes.websocket.url: host_not_allowed: ' +
        'address literal (private) is not allowed',
    ],
    [
      { probes: { download: { url: 'wss://web.whatsapp.com/', method: 'GET', headers: [] } } },
      'peer option probes.download.url: host_not_allowed: ' +
        'scheme wss: cannot carry an HTTP exchange',
    ],
    [
      { probes: { upload: { url: 'https://mmg.whatsapp.net/', method: 'TRACE', headers: [] } } },
      'peer option probes.upload.method: TRACE is forbidden in browsers',
    ],
  ] as [Partial<PeerOptions>, string][])('%j is refused: %s', (options, message) => {
    expect(refusal(options)).toBe(message);
  });

  it('default to one object, with probes of harmless WhatsApp requests', () => {
    expect(PEER_DEFAULTS.probes).toEqual({
      websocket: { url: 'wss://web.whatsapp.com/ws/chat' },
      download: { url: 'https://mmg.whatsapp.net/', method: 'GET', headers: [] },
      upload: {
        url: 'https://mmg.whatsapp.net/',
        method: 'POST',
        headers: [['Content-Type', 'application/octet-stream']],
      },
    });
    expect(refusal({})).toBe('accepted');
  });
});
