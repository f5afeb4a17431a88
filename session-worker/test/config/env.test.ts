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
  ])('refuses %o naming %s', (env, variable, detail) => {
    expect(() => readServiceEnv(env)).toThrow(
      expect.objectContaining({ code: 'config_invalid', setting: variable }),
    );
    expect(() => readServiceEnv(env)).toThrow(detail);
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
    // The tunnel's variables join the table when it is wired into the service.
    const read = new Set<string>();
    const walk = (folder: string) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) {
          if (name !== 'tunnel') walk(path);
        } else if (name.endsWith('.ts')) {
          for (const match of readFileSync(path, 'utf8').matchAll(/\bPASARELA_[A-Z0-9_]+\b/g)) {
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
