import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The line `scripts/patch-baileys.mjs` leaves in Baileys' media utilities. */
const MARKER = 'pasarela: download errors reach the reader';

/**
 * Whether the installed Baileys forwards a broken download body to its
 * reader. Without the install-time patch, a media, history or app-state
 * download cut mid-body is an uncaught exception that ends the worker;
 * installs that skip lifecycle scripts (`--ignore-scripts`) miss it.
 */
export function baileysDownloadGuarded(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('@whiskeysockets/baileys/package.json');
    const file = join(dirname(manifest), 'lib', 'Utils', 'messages-media.js');
    return readFileSync(file, 'utf8').includes(MARKER);
  } catch {
    return false;
  }
}
