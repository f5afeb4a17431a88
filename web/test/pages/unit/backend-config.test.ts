import { describe, expect, it } from 'vitest';
import { readBackendEnv } from '../../../src/backend-standin/config.js';
import { parsePageConfig } from '../../../src/pages/ui/backend.js';

const BASE = {
  PASARELA_BACKEND_TENANT: 'pizzeria-1',
  PASARELA_BACKEND_TENANT_KEY: 'tenant-key-of-pizzeria-1',
  PASARELA_BACKEND_WORKER_URL: 'http://127.0.0.1:3000',
  PASARELA_BACKEND_ROOM: 'rooms.example.com',
};

describe("the backend stand-in's configuration", () => {
  it('reads a minimal configuration with its defaults', () => {
    const config = readBackendEnv(BASE);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8790,
      tenant: 'pizzeria-1',
      restaurant: 'pizzeria-1',
      room: { host: 'rooms.example.com', protocol: 'wss' },
      mode: 'production',
      devHostMap: null,
      tls: null,
    });
    expect(config.workerUrl.href).toBe('http://127.0.0.1:3000/');
  });

  it.each([
    [{ PASARELA_BACKEND_TENANT: '' }, 'config_invalid: PASARELA_BACKEND_TENANT: is not set'],
    [
      { PASARELA_BACKEND_TENANT: 'Pizza!' },
      'config_invalid: PASARELA_BACKEND_TENANT: not a tenant id',
    ],
    [
      { PASARELA_BACKEND_TENANT_KEY: ' ' },
      'config_invalid: PASARELA_BACKEND_TENANT_KEY: is not set',
    ],
    [
      { PASARELA_BACKEND_WORKER_URL: 'worker' },
      'config_invalid: PASARELA_BACKEND_WORKER_URL: not a URL',
    ],
    [
      { PASARELA_BACKEND_WORKER_URL: 'ftp://worker' },
      'config_invalid: PASARELA_BACKEND_WORKER_URL: must be http or https',
    ],
    [
      { PASARELA_BACKEND_ROOM: 'https://rooms.example.com/' },
      'config_invalid: PASARELA_BACKEND_ROOM: a host (and port), not a URL',
    ],
    [
      { PASARELA_BACKEND_ROOM_PROTOCOL: 'ws' },
      'config_invalid: PASARELA_BACKEND_ROOM_PROTOCOL: ws is for development only',
    ],
    [
      { PASARELA_BACKEND_DEV_HOST_MAP: '{"web.whatsapp.com":"http://127.0.0.1:1"}' },
      'config_invalid: PASARELA_BACKEND_DEV_HOST_MAP: refused outside development mode',
    ],
    [
      {
        PASARELA_BACKEND_MODE: 'development',
        PASARELA_BACKEND_DEV_HOST_MAP: '{"example.com":"http://127.0.0.1:1"}',
      },
      'config_invalid: PASARELA_BACKEND_DEV_HOST_MAP: bad entry "example.com"',
    ],
    [
      { PASARELA_BACKEND_PEER: '[1]' },
      'config_invalid: PASARELA_BACKEND_PEER: must be a JSON object',
    ],
    [
      { PASARELA_BACKEND_PORT: '70000' },
      'config_invalid: PASARELA_BACKEND_PORT: not a port number',
    ],
    [
      { PASARELA_BACKEND_TLS_CERT: '/nonexistent.pem' },
      'config_invalid: PASARELA_BACKEND_TLS_KEY: set both TLS_CERT and TLS_KEY, or neither',
    ],
  ])('refuses %j naming the variable', (change, message) => {
    expect(() => readBackendEnv({ ...BASE, ...change })).toThrow(message);
  });

  it('takes a development host map and a plain room in development mode', () => {
    const config = readBackendEnv({
      ...BASE,
      PASARELA_BACKEND_MODE: 'development',
      PASARELA_BACKEND_ROOM: '127.0.0.1:8787',
      PASARELA_BACKEND_ROOM_PROTOCOL: 'ws',
      PASARELA_BACKEND_DEV_HOST_MAP: '{"web.whatsapp.com":"http://127.0.0.1:8080"}',
    });
    expect(config.room).toEqual({ host: '127.0.0.1:8787', protocol: 'ws' });
    expect(config.devHostMap).toEqual({ 'web.whatsapp.com': 'http://127.0.0.1:8080' });
  });
});

describe("a page's reading of its configuration", () => {
  const good = {
    tenant: 'pizzeria-1',
    restaurant: 'Pizzería Uno',
    room: { host: 'rooms.example.com', protocol: 'wss' },
    mode: 'production',
  };

  it('takes a good one as it is', () => {
    expect(parsePageConfig(good)).toEqual(good);
  });

  it.each([
    [{ tenant: 'A B' }, 'page config tenant: not a tenant id'],
    [{ room: { host: '', protocol: 'wss' } }, 'page config room.host: missing'],
    [{ room: { host: 'x', protocol: 'http' } }, "page config room.protocol: must be 'ws' or 'wss'"],
    [{ mode: 'test' }, "page config mode: must be 'production' or 'development'"],
    [
      { devHostMap: { 'web.whatsapp.com': 'http://x' } },
      'page config devHostMap: only allowed in development mode',
    ],
  ])('refuses %j', (change, message) => {
    expect(() => parsePageConfig({ ...good, ...change })).toThrow(message);
  });
});
