import { EN } from './texts/en.js';
import { ES } from './texts/es.js';
import { LANGUAGES } from './texts/types.js';
import type { Language, Texts } from './texts/types.js';

export { LANGUAGES };
export type { Language, Texts };

/** Spanish first: the restaurants this product is for speak it. */
export const DEFAULT_LANGUAGE: Language = 'es';

const TEXTS: Readonly<Record<Language, Texts>> = { es: ES, en: EN };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function textsFor(language: Language): Texts {
  return TEXTS[language];
}

/**
 * The page's language: `?lang=` for this page alone (a link or a second
 * screen in another language), else the one staff chose on this browser,
 * else Spanish.
 */
export function pickLanguage(query: string | null, stored: string | null): Language {
  if (isLanguage(query)) return query;
  if (isLanguage(stored)) return stored;
  return DEFAULT_LANGUAGE;
}
