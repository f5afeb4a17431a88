import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  API_DEFAULTS,
  envExampleText,
  readServiceEnv,
  serviceVariables,
} from '../../src/config/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN = { PASARELA_ADMIN_KEY: 'k'.repeat(40) };
const SECRET = 's'.repeat(40);
const TUNNEL = {
  ...ADMIN,
  PASARELA_ROOM_URL: 'wss://rooms.example.com',
  TOKEN_KEYS: JSON.stringify({ k1: SECRET }),
};

describe('the service environment', () => {
  it('starts from the defaults with only the admin key set', () => {
    const settings = readServiceEnv(ADMIN);
    expect(settings.api).toEqual({ ...API_DEFAULTS });
    expect(settings.api.port).toBe(3000);
    expect(settings.secrets).toEqual(['k'.repeat(40)]);
    expect(settings.adminKeyHash).toHaveLength(32);
  });

  it('takes the port a host platform sets in PORT, and PASARELA_PORT over it', () => {
    expect(readServiceEnv({ ...ADMIN, PORT: '8080' }).api.port).toBe(8080);
    expect(readServiceEnv({ ...ADMIN, PORT: '8080', PASARELA_PORT: '9000' }).api.port).toBe(9000);
  });

  it.each([
    [{}, 'PASARELA_ADMIN_KEY', /is required/],
    [{ PASARELA_ADMIN_KEY: 'short' }, 'PASARELA_ADMIN_KEY', /32 to 256/],
    [{ ...ADMIN, PORT: 'eighty' }, 'PORT', /not a whole number/],
    [{ ...ADMIN, PASARELA_PORT: '70000' }, 'PASARELA_PORT', /65535/],
    [{ ...ADMIN, PASARELA_SEND_ACK_TIMEOUT_MS: '1.5s' }, 'PASARELA_SEND_ACK_TIMEOUT_MS', /whole/],
    [{ ...ADMIN, PASARELA_SEND_ACK_TIMEOUT_MS: '0' }, 'PASARELA_SEND_ACK_TIMEOUT_MS', /0/],
    [{ ...ADMIN, PASARELA_LINK_PREVIEWS: 'maybe' }, 'PASARELA_LINK_PREVIEWS', /off|guarded/],
    [{ ...ADMIN, PASARELA_URL_ALLOWLIST: '10.0.0.0/33' }, 'PASARELA_URL_ALLOWLIST', /CIDR/],
    [{ ...ADMIN, PASARELA_URL_ALLOWLIST: 'bad_host!' }, 'PASARELA_URL_ALLOWLIST', /bad_host!/],
    [{ ...ADMIN, PASARELA_MEDIA_MAX_BYTES: '30000000' }, 'PASARELA_MAX_BODY_BYTES', /base64/],
    [
      { ...ADMIN, PASARELA_WEBHOOK_BACKOFF_MAX_MS: '10', PASARELA_WEBHOOK_BACKOFF_BASE_MS: '20' },
      'PASARELA_WEBHOOK_BACKOFF_MAX_MS',
      /at least/,
    ],
    [{ ...ADMIN, PASARELA_METRICS_TOKEN: 'tiny' }, 'PASARELA_METRICS_TOKEN', /16/],
    [{ ...ADMIN, PASARELA_STORE: 'mysql' }, 'PASARELA_STORE', /sqlite, postgres/],
    [{ ...ADMIN, PASARELA_ROOM_URL: 'wss://rooms.example.com' }, 'TOKEN_KEYS', /required/],
    [{ ...TUNNEL, PASARELA_ROOM_URL: 'https://rooms.example.com' }, 'PASARELA_ROOM_URL', /ws:/],
    [{ ...TUNNEL, PASARELA_ROOM_URL: 'wss://rooms.example.com/x' }, 'PASARELA_ROOM_URL', /bare/],
    [
      { ...TUNNEL, NODE_ENV: 'production', PASARELA_ROOM_URL: 'ws://rooms.example.com' },
      'PASARELA_ROOM_URL',
      /wss: in production/,
    ],
    [{ ...TUNNEL, TOKEN_KEYS: '{"k1":"short"}' }, 'TOKEN_KEYS', /under 32 chars/],
    [
      { ...TUNNEL, TOKEN_KEYS: JSON.stringify({ a: SECRET, b: SECRET }) },
      'TOKEN_SIGNING_KEY',
      /several/,
    ],
    [{ ...TUNNEL, TOKEN_SIGNING_KEY: 'k9' }, 'TOKEN_SIGNING_KEY', /not in the set/],
    [
      { ...TUNNEL, PASARELA_TUNNEL_SETTINGS: '{"routes":{"healthyForMs":-1}}' },
      'PASARELA_TUNNEL_SETTINGS.routes.healthyForMs',
      />=0/,
    ],
    [
      { ...TUNNEL, PASARELA_TUNNEL_SETTINGS: '{"routes":{"healthyFor":1}}' },
      'PASARELA_TUNNEL_SETTINGS.routes.healthyFor',
      /./,
    ],
    [
      { ...TUNNEL, PASARELA_KEEP_ALIVE_INTERVAL_MS: '10000' },
      'PASARELA_TUNNEL_SETTINGS.routes.upstreamSilenceMs',
      /between the keepalive interval \(10000 ms\) and the moment Baileys gives up \(15000 ms\)/,
    ],
  ])('refuses %o naming %s', (env, variable, detail) => {
    expect(() => readServiceEnv(env)).toThrow(
      expect.objectContaining({ code: 'config_invalid', setting: variable }),
    );
    expect(() => readServiceEnv(env)).toThrow(detail);
  });

  it('runs without a tunnel when no room URL is set', () => {
    expect(readServiceEnv(ADMIN).tunnel).toBeNull();
  });

  it(
    'reads the room, the token keys and the tunnel ' +
      'settings, and keeps the secrets out of logs',
    () => {
      const settings = readServiceEnv({
        ...TUNNEL,
        PASARELA_TUNNEL_SETTINGS: '{"routes":{"healthyForMs":60000}}',
      });
      expect(settings.tunnel?.room).toEqual({ protocol: 'wss', host: 'rooms.example.com' });
      expect(settings.tunnel?.keys).toEqual({ signingKeyId: 'k1', keys: { k1: SECRET } });
      expect(settings.tunnel?.settings.routes.healthyForMs).toBe(60_000);
      expect(settings.tunnel?.settings.routes.upstreamSilenceMs).toBe(33_000);
      expect(settings.secrets).toEqual(['k'.repeat(40), SECRET]);
    },
  );

  it('allows a plain ws: room on loopback in production', () => {
    const settings = readServiceEnv({
      ...TUNNEL,
      NODE_ENV: 'production',
      PASARELA_ROOM_URL: 'ws://127.0.0.1:8787',
    });
    expect(settings.tunnel?.room).toEqual({ protocol: 'ws', host: '127.0.0.1:8787' });
  });

  it('never puts a token secret in an error', () => {
    const env = {
      ...TUNNEL,
      TOKEN_KEYS: JSON.stringify({ k1: SECRET, 'bad id!': SECRET }),
      TOKEN_SIGNING_KEY: 'k1',
    };
    expect(() => readServiceEnv(env)).toThrow(
      expect.objectContaining({
        setting: 'TOKEN_KEYS',
        message: expect.not.stringContaining(SECRET),
      }),
    );
  });

  it('never puts the admin key in an error', () => {
    const key = `${'x'.repeat(31)}!`;
    expect(() => readServiceEnv({ PASARELA_ADMIN_KEY: key })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(key) }),
    );
  });
});

describe('.env.example', () => {
  it('is the file the variable table writes (npm run env-example)', () => {
    expect(readFileSync(join(ROOT, '.env.example'), 'utf8')).toBe(envExampleText());
  });

  it('lists every variable with its default', () => {
    const text = readFileSync(join(ROOT, '.env.example'), 'utf8');
    for (const variable of serviceVariables()) {
      expect(text).toContain(`\n${variable.name}=${variable.default}\n`);
    }
    expect(text).toContain('\nPASARELA_SEND_ACK_TIMEOUT_MS=15000\n');
    expect(text).toContain('\nPASARELA_URL_ALLOWLIST=\n');
  });

  it('leaves out no variable the worker reads', () => {
    const read = new Set<string>();
    const walk = (folder: string) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) {
          walk(path);
        } else if (name.endsWith('.ts')) {
          const text = readFileSync(path, 'utf8');
          for (const match of text.matchAll(
            /\b(PASARELA_[A-Z0-9_]+|TOKEN_KEYS|TOKEN_SIGNING_KEY)\b/g,
          )) {
            read.add(match[0]);
          }
        }
      }
    };
    walk(join(ROOT, 'src'));
    const listed = new Set(serviceVariables().map((v) => v.name));
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  });
});
