import { describe, expect, it } from 'vitest';
import { compileHostMap } from '../../src/egress/index.js';

describe('the development host map', () => {
  const map = compileHostMap({
    'web.whatsapp.com': '127.0.0.1:41001',
    '*.whatsapp.net': '127.0.0.1:41002',
    '*.media.whatsapp.net': '[::1]:41003',
    'MMG.WhatsApp.net.': 'standin.local:41004',
  });

  it.each([
    ['web.whatsapp.com', { host: '127.0.0.1', port: 41001 }],
    ['WEB.WhatsApp.com', { host: '127.0.0.1', port: 41001 }],
    ['mmg.whatsapp.net', { host: 'standin.local', port: 41004 }],
    ['pps.whatsapp.net', { host: '127.0.0.1', port: 41002 }],
    ['a.b.whatsapp.net', { host: '127.0.0.1', port: 41002 }],
    ['x.media.whatsapp.net', { host: '::1', port: 41003 }],
    ['whatsapp.net', undefined],
    ['evilwhatsapp.net', undefined],
    ['whatsapp.com', undefined],
    ['example.org', undefined],
  ])('sends %s to %j', (host, expected) => {
    expect(map.resolve(host)).toEqual(expected);
  });

  it('counts its entries', () => {
    expect(map.size).toBe(4);
  });

  it.each([
    [
      { 'web.whatsapp.com': '127.0.0.1' },
      'config_invalid: hostMap["web.whatsapp.com"]: "127.0.0.1" is not "host:port"',
    ],
    [
      { 'web.whatsapp.com': '127.0.0.1:0' },
      'config_invalid: hostMap["web.whatsapp.com"]: port 0 is out of range',
    ],
    [
      { 'web.whatsapp.com': '127.0.0.1:70000' },
      'config_invalid: hostMap["web.whatsapp.com"]: port 70000 is out of range',
    ],
    [
      { 'web.whatsapp.com': 41001 },
      'config_invalid: hostMap["web.whatsapp.com"]: must be a "host:port" string',
    ],
    [
      { 'web.whatsapp.com': '[::1:41001' },
      'config_invalid: hostMap["web.whatsapp.com"]: "[::1:41001" is not "host:port"',
    ],
    [
      { 'web.whatsapp.com': 'bad_host:1' },
      'config_invalid: hostMap["web.whatsapp.com"]: "bad_host" is not an address or host name',
    ],
    [
      { 'web whatsapp': '127.0.0.1:1' },
      'config_invalid: hostMap["web whatsapp"]: is not a host name or a "*.suffix" pattern',
    ],
    [
      { '*.': '127.0.0.1:1' },
      'config_invalid: hostMap["*."]: is not a host name or a "*.suffix" pattern',
    ],
    [
      { 'a.*.net': '127.0.0.1:1' },
      'config_invalid: hostMap["a.*.net"]: is not a host name or a "*.suffix" pattern',
    ],
    [
      { '10.0.0.1': '127.0.0.1:1' },
      'config_invalid: hostMap["10.0.0.1"]: maps an address; the map is keyed by host name',
    ],
    [
      { 'Web.WhatsApp.com': '127.0.0.1:1', 'web.whatsapp.com': '127.0.0.1:2' },
      'config_invalid: hostMap["web.whatsapp.com"]: is listed twice',
    ],
    [
      ['web.whatsapp.com'],
      'config_invalid: hostMap: must be an object of host name to "host:port"',
    ],
  ])('refuses %j', (input, message) => {
    expect(() => compileHostMap(input)).toThrow(message);
  });
});
