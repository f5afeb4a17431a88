import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { originsFromEnv, parseExtensionConfig } from './config.js';
import type { ExtensionConfig } from './config.js';
import { EXTENSION_DEFAULTS } from './defaults.js';
import { ExtensionError } from './errors.js';

export interface ConfigSource {
  /** The workspace folder: relative paths in the file are read from there. */
  readonly root: string;
  /** The process environment (or a test's). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The deployment's configuration: `extension.config.json` in the workspace
 * (or the file `PASARELA_EXTENSION_CONFIG` names), with the page origins
 * replaced by `PASARELA_EXTENSION_PAGE_ORIGINS` when that is set. A missing
 * file is fine when the variable gives the origins.
 */
export async function loadExtensionConfig(source: ConfigSource): Promise<ExtensionConfig> {
  const named = source.env.PASARELA_EXTENSION_CONFIG;
  const path = resolve(source.root, named ?? EXTENSION_DEFAULTS.configFile);
  let body: Record<string, unknown> = {};
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && named === undefined) return null;
    throw new ExtensionError('bad_config', `cannot read ${path} (${error.code})`, 'config');
  });
  if (text !== null) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ExtensionError('bad_config', `${path} is not valid JSON`, 'config');
    }
  }
  const fromEnv = originsFromEnv(source.env[EXTENSION_DEFAULTS.originsEnv]);
  if (fromEnv) body = { ...body, pageOrigins: fromEnv };
  const config = parseExtensionConfig(body);
  if (!config.selfHosting || isAbsolute(config.selfHosting.keyFile)) return config;
  return {
    ...config,
    selfHosting: {
      ...config.selfHosting,
      keyFile: resolve(source.root, config.selfHosting.keyFile),
    },
  };
}
