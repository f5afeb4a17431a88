import { describe, expect, it } from 'vitest';
import type { ProtocolError } from '@pasarela/shared';
import { parseDevHostMap, resolveTarget } from '../src/peer/index.js';

const map = parseDevHostMap({
  'web.whatsapp.com': 'http://127.0.0.1:8080',
  'MMG.WhatsApp.net': 'https://127.0.0.1:8443',
});

function refused(url: string): string {
  try {
    resolveTarget(url, map);
  } catch (error) {
    return (error as ProtocolError).code;
  }
  return 'allowed';
}

describe('resolving a relay target', () => {
  it('keeps a WhatsApp URL that the map does not name', () => {
    const target = resolveTarget('https://media-mia3-1.cdn.whatsapp.net/v/t62/x?oh=1', map);
    expect([target.effective.href, target.host, target.mapped]).toEqual([
      'https://media-mia3-1.cdn.whatsapp.net/v/t62/x?oh=1',
      'media-mia3-1.cdn.whatsapp.net',
      false,
    ]);
  });

  it('sends a mapped WhatsApp name to its stand-in, keeping path and query', () => {
    expect(resolveTarget('wss://web.whatsapp.com/ws/chat', map).effective.href).toBe(
      'ws://127.0.0.1:8080/ws/chat',
    );
    expect(resolveTarget('https://mmg.whatsapp.net/mms/image/abc?auth=x', map).effective.href).toBe(
      'https://127.0.0.1:8443/mms/image/abc?auth=x',
    );
    expect(resolveTarget('https://web.whatsapp.com/check-update', map).effective.href).toBe(
      'http://127.0.0.1:8080/check-update',
    );
  });

  it.each([
    'http://127.0.0.1:8080/',
    'https://localhost/',
    'https://192.168.0.10/',
    'https://[fd00::1]/',
    'https://169.254.169.254/',
    'http://web.whatsapp.com/',
    'ws://web.whatsapp.com/ws/chat',
    'https://whatsapp.net.attacker.example/',
    'ftp://mmg.whatsapp.net/',
  ])('refuses %s with host_not_allowed, map or not', (url) => {
    expect(refused(url)).toBe('host_not_allowed');
  });
});
