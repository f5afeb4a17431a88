import type { ExtensionConfig } from './config.js';
import { EXTENSION_DEFAULTS } from './defaults.js';
import { drawIcon } from './icon.js';
import type { Locale, Messages } from './locales.js';
import { buildManifest, RULES_FILE } from './manifest.js';
import { buildRules } from './rules.js';

/** The extension as it ships: relative path to bytes, in a fixed order. */
export type ExtensionFiles = ReadonlyMap<string, Uint8Array>;

function json(value: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

/**
 * Every file of the extension: the manifest, the one ruleset, the messages
 * of each language and the icons. Nothing executable: no script, no page.
 */
export function extensionFiles(
  config: ExtensionConfig,
  version: string,
  locales: Record<Locale, Messages>,
): ExtensionFiles {
  const files = new Map<string, Uint8Array>();
  files.set('manifest.json', json(buildManifest(config, version)));
  files.set(RULES_FILE, json(buildRules(config)));
  for (const [locale, messages] of Object.entries(locales)) {
    files.set(`_locales/${locale}/messages.json`, json(messages));
  }
  for (const size of EXTENSION_DEFAULTS.iconSizes) {
    files.set(`icons/icon-${size}.png`, drawIcon(size));
  }
  return files;
}
