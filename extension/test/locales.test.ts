import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkMessages, ExtensionError, readLocales } from '../src/index.js';

const LOCALES_DIR = join(import.meta.dirname, '../locales');

describe('the shipped languages', () => {
  it('are Spanish and English with the same messages', async () => {
    const locales = await readLocales(LOCALES_DIR);
    expect(Object.keys(locales)).toEqual(['es', 'en']);
    expect(Object.keys(locales.es).sort()).toEqual(Object.keys(locales.en).sort());
  });

  it('state the privacy terms in both languages', async () => {
    const { es, en } = await readLocales(LOCALES_DIR);
    expect(es.privacyStatement?.message).toContain('no recoge, guarda ni envía ningún dato');
    expect(en.privacyStatement?.message).toContain('collects, stores and sends no data');
    for (const text of [es.privacyStatement?.message, en.privacyStatement?.message]) {
      expect(text).toContain('https://web.whatsapp.com');
      expect(text).toContain('*.whatsapp.net');
    }
  });
});

describe('a language file', () => {
  const valid = {
    extName: { message: 'Pasarela', description: 'd' },
    extShortName: { message: 'Pasarela', description: 'd' },
    extDescription: { message: 'x'.repeat(132), description: 'd' },
    privacyStatement: { message: 'p', description: 'd' },
  };

  it('may use the Web Store’s full 132 characters of description', () => {
    expect(() => checkMessages('fr', valid)).not.toThrow();
  });

  it('is refused past a limit, without a message, or with one the manifest does not use', () => {
    const cases = [
      { ...valid, extDescription: { message: 'x'.repeat(133), description: 'd' } },
      { ...valid, extShortName: { message: 'Pasarela Pro!', description: 'd' } },
      { ...valid, extName: { message: ' ', description: 'd' } },
      { ...valid, tagline: { message: 't', description: 'd' } },
    ];
    for (const messages of cases) {
      expect(() => checkMessages('fr', messages)).toThrow(ExtensionError);
    }
  });
});
