import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors.js';
import { checkTarget, isWhatsAppHost } from '../src/hosts.js';
import { classifyAddress } from '../src/ip.js';

describe('the WhatsApp host list', () => {
  it.each([
    'web.whatsapp.com',
    'WEB.WhatsApp.COM',
    'web.whatsapp.com.',
    'mmg.whatsapp.net',
    'media-mia3-1.cdn.whatsapp.net',
    'pps.whatsapp.net',
    'whatsapp.net',
  ])('allows %s', (host) => {
    expect(isWhatsAppHost(host)).toBe(true);
  });

  it.each([
    'whatsapp.net.example.com',
    'evilwhatsapp.net',
    'whatsapp.network',
    'web.whatsapp.com.evil.io',
    'example.com',
    '',
    '157.240.0.53',
    '[2a03:2880::1]',
    'a..whatsapp.net',
    'web_whatsapp.com',
  ])('refuses %s', (host) => {
    expect(isWhatsAppHost(host)).toBe(false);
  });
});

describe('relay targets', () => {
  const refusal = (url: string, extra?: string[]) => {
    try {
      checkTarget(url, { extraHosts: new Set(extra), allowPlainForExtraHosts: true });
      return 'allowed';
    } catch (error) {
      return error instanceof ProtocolError ? error.code : 'threw';
    }
  };

  it.each([
    ['wss://web.whatsapp.com/ws/chat', 'allowed'],
    ['https://mmg.whatsapp.net/d/f/abc?auth=x', 'allowed'],
    ['http://mmg.whatsapp.net/d/f/abc', 'host_not_allowed'],
    ['https://127.0.0.1/', 'host_not_allowed'],
    ['https://2130706433/', 'host_not_allowed'],
    ['https://0x7f.1/', 'host_not_allowed'],
    ['https://[::1]/', 'host_not_allowed'],
    ['https://169.254.169.254/latest/meta-data', 'host_not_allowed'],
    ['https://10.0.0.5/', 'host_not_allowed'],
    ['https://user:pw@web.whatsapp.com/', 'host_not_allowed'],
    ['file:///etc/passwd', 'host_not_allowed'],
    ['not a url', 'host_not_allowed'],
    ['https://whatsapp.net.example.com/', 'host_not_allowed'],
  ])('%s is %s', (url, expected) => {
    expect(refusal(url)).toBe(expected);
  });

  it('allows a mapped development host over plain ws only when configured', () => {
    expect(refusal('ws://standin.localhost:8080/ws/chat', ['standin.localhost'])).toBe('allowed');
    expect(refusal('ws://standin.localhost:8080/ws/chat')).toBe('host_not_allowed');
  });
});

describe('address classes', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
    ['157.240.0.53', 'public'],
    ['2a03:2880:f10c:83:face:b00c:0:25de', 'public'],
    ['[2001:db8::1]', 'reserved'],
  ])('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it.each(['web.whatsapp.com', '1.2.3', '01.2.3.4', '256.1.1.1', '1::2::3', '12345::'])(
    '%s is not an address literal',
    (text) => {
      expect(classifyAddress(text)).toBeNull();
    },
  );
});
