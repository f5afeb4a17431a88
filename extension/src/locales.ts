import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXTENSION_DEFAULTS } from './defaults.js';
import { ExtensionError } from './errors.js';

/** Chromium's `messages.json`: one entry per message name. */
export type Messages = Record<string, { readonly message: string; readonly description: string }>;

/** The languages shipped, the default first. */
export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** Limits Chromium and the Web Store apply to the manifest's strings. */
export const MESSAGE_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  extName: 75,
  extShortName: 12,
  extDescription: 132,
});

const REQUIRED = ['extName', 'extShortName', 'extDescription', 'privacyStatement'] as const;

/** Checks one language's messages: every required name, within its limit, nothing unknown. */
export function checkMessages(locale: string, messages: unknown): Messages {
  if (typeof messages !== 'object' || messages === null) {
    throw new ExtensionError('bad_locale', 'must be an object of messages', locale);
  }
  const entries = messages as Record<string, unknown>;
  for (const name of Object.keys(entries)) {
    if (!(REQUIRED as readonly string[]).includes(name)) {
      throw new ExtensionError('bad_locale', `${name} is not a message the manifest uses`, locale);
    }
  }
  for (const name of REQUIRED) {
    const entry = entries[name] as { message?: unknown; description?: unknown } | undefined;
    if (typeof entry?.message !== 'string' || entry.message.trim() === '') {
      throw new ExtensionError('bad_locale', `${name} has no message`, locale);
    }
    if (typeof entry.description !== 'string') {
      throw new ExtensionError('bad_locale', `${name} has no description for translators`, locale);
    }
    const limit = MESSAGE_LIMITS[name];
    if (limit !== undefined && [...entry.message].length > limit) {
      throw new ExtensionError('bad_locale', `${name} is longer than ${limit} characters`, locale);
    }
  }
  return entries as Messages;
}

/** Reads and checks every shipped language from `dir` (`<locale>.json`). */
export async function readLocales(dir: string): Promise<Record<Locale, Messages>> {
  const out = {} as Record<Locale, Messages>;
  for (const locale of LOCALES) {
    const text = await readFile(join(dir, `${locale}.json`), 'utf8');
    out[locale] = checkMessages(locale, JSON.parse(text));
  }
  if (LOCALES[0] !== EXTENSION_DEFAULTS.defaultLocale) {
    throw new ExtensionError('bad_locale', 'the default locale must be listed first', 'LOCALES');
  }
  return out;
}
