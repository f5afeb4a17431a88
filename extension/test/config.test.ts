import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ExtensionError,
  loadExtensionConfig,
  originsFromEnv,
  parseExtensionConfig,
  parsePageOrigin,
} from '../src/index.js';

function refusal(run: () => unknown): { code: string; field: string | null } {
  try {
    run();
  } catch (error) {
    if (error instanceof ExtensionError) return { code: error.code, field: error.field };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('a page origin', () => {
  it('is granted as its exact origin and matched by its host name', () => {
    expect(parsePageOrigin('https://Orders.Example.com/', 'o')).toEqual({
      origin: 'https://orders.example.com',
      domain: 'orders.example.com',
      wildcard: false,
      hostPermission: 'https://orders.example.com/*',
    });
  });

  it('may name every subdomain of a domain', () => {
    expect(parsePageOrigin('https://*.pasarela.example', 'o')).toEqual({
      origin: 'https://*.pasarela.example',
      domain: 'pasarela.example',
      wildcard: true,
      hostPermission: 'https://*.pasarela.example/*',
    });
  });

  it('keeps a port in the host permission', () => {
    expect(parsePageOrigin('https://orders.example.com:8443', 'o').hostPermission).toBe(
      'https://orders.example.com:8443/*',
    );
  });

  it.each([
    ['http://orders.example.com', 'plain http'],
    ['https://orders.example.com/kds', 'a path'],
    ['https://orders.example.com?x=1', 'a query'],
    ['https://user@orders.example.com', 'credentials'],
    ['https://192.168.1.20', 'an address'],
    ['https://localhost', 'a single label'],
    ['https://web.whatsapp.com', "WhatsApp's own host"],
    ['https://*.whatsapp.net', "WhatsApp's own domain"],
    ['https://orders.example.com:70000', 'a port out of range'],
  ])('refuses %s (%s), naming the field', (value) => {
    expect(refusal(() => parsePageOrigin(value, 'pageOrigins[3]'))).toEqual({
      code: 'bad_config',
      field: 'pageOrigins[3]',
    });
  });
});

describe('the configuration', () => {
  it('needs at least one page origin', () => {
    expect(refusal(() => parseExtensionConfig({ pageOrigins: [] }))).toEqual({
      code: 'bad_config',
      field: 'pageOrigins',
    });
  });

  it('refuses an origin listed twice and an unknown setting', () => {
    const twice = { pageOrigins: ['https://a.example.com', 'https://A.example.com/'] };
    expect(refusal(() => parseExtensionConfig(twice)).field).toBe('pageOrigins[1]');
    const unknown = { pageOrigins: ['https://a.example.com'], contentScripts: true };
    expect(refusal(() => parseExtensionConfig(unknown)).field).toBe('contentScripts');
  });

  it('takes self-hosting only with https URLs and a key file', () => {
    const base = { pageOrigins: ['https://a.example.com'] };
    const selfHosting = {
      updateUrl: 'https://ext.example.com/pasarela/update.xml',
      crxUrl: 'https://ext.example.com/pasarela/pasarela.crx',
      keyFile: 'keys/pasarela.pem',
    };
    expect(parseExtensionConfig({ ...base, selfHosting }).selfHosting).toEqual(selfHosting);
    const plain = { ...selfHosting, updateUrl: 'http://ext.example.com/update.xml' };
    expect(refusal(() => parseExtensionConfig({ ...base, selfHosting: plain })).field).toBe(
      'selfHosting.updateUrl',
    );
    const keyless = { ...selfHosting, keyFile: '' };
    expect(refusal(() => parseExtensionConfig({ ...base, selfHosting: keyless })).field).toBe(
      'selfHosting.keyFile',
    );
  });

  it('reads comma-separated origins from the environment, blanks ignored', () => {
    expect(originsFromEnv(' https://a.example.com, ,https://b.example.com ')).toEqual([
      'https://a.example.com',
      'https://b.example.com',
    ]);
    expect(originsFromEnv('  ')).toBeNull();
    expect(originsFromEnv(undefined)).toBeNull();
  });
});

describe('loading the configuration', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lets the environment replace the file’s origins and keeps its other settings', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pasarela-extension-config-'));
    await writeFile(
      join(dir, 'extension.config.json'),
      JSON.stringify({
        pageOrigins: ['https://file.example.com'],
        selfHosting: {
          updateUrl: 'https://ext.example.com/update.xml',
          crxUrl: 'https://ext.example.com/p.crx',
          keyFile: 'key.pem',
        },
      }),
    );
    const config = await loadExtensionConfig({
      root: dir,
      env: { PASARELA_EXTENSION_PAGE_ORIGINS: 'https://env.example.com' },
    });
    expect(config.pageOrigins.map((origin) => origin.origin)).toEqual(['https://env.example.com']);
    expect(config.selfHosting?.keyFile).toBe(join(dir, 'key.pem'));
  });

  it(
    'works from the environment alone, and ' + 'names the field when nothing gives origins',
    async () => {
      dir = await mkdtemp(join(tmpdir(), 'pasarela-extension-config-'));
      const config = await loadExtensionConfig({
        root: dir,
        env: { PASARELA_EXTENSION_PAGE_ORIGINS: 'https://env.example.com' },
      });
      expect(config.pageOrigins).toHaveLength(1);
      await expect(loadExtensionConfig({ root: dir, env: {} })).rejects.toMatchObject({
        code: 'bad_config',
        field: 'pageOrigins',
      });
    },
  );

  it('refuses a named configuration file that does not exist', async () => {
    dir = await mkdtemp(join(tmpdir(), 'pasarela-extension-config-'));
    await expect(
      loadExtensionConfig({ root: dir, env: { PASARELA_EXTENSION_CONFIG: 'missing.json' } }),
    ).rejects.toMatchObject({ code: 'bad_config', field: 'config' });
  });
});
