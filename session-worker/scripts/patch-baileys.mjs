// Applied after every install (root `postinstall`). Baileys 7.0.0-rc14 pipes
// a media download's HTTP body into its decipher with `pipe()`, which does
// not forward errors: when the body breaks off (a tunnel lost mid-download,
// a CDN reset) the body stream's error has no listener and becomes an
// uncaught exception that ends the whole worker, and the decipher never
// ends, so the reader waits forever. The patch forwards the error to the
// decipher, so the download rejects where Baileys and the worker handle it.
//
// Idempotent. Fails the install when the code it expects is not there, so
// a Baileys upgrade is checked by a person instead of silently unprotected.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const MARKER = 'pasarela: download errors reach the reader';
const TARGET = 'return fetched.pipe(output, { end: true });';
const REPLACEMENT = [
  `// ${MARKER}`,
  "    fetched.on('error', (error) => output.destroy(error));",
  `    ${TARGET}`,
].join('\n');

/** Where Baileys' media utilities live, resolved the way the worker resolves it. */
export function mediaModulePath() {
  const require = createRequire(join(import.meta.dirname, '..', 'package.json'));
  let manifest;
  try {
    manifest = require.resolve('@whiskeysockets/baileys/package.json');
  } catch {
    return null;
  }
  return join(dirname(manifest), 'lib', 'Utils', 'messages-media.js');
}

/** The patched text, or null when it is patched already; throws when the code differs. */
export function patchSource(source, file = 'messages-media.js') {
  if (source.includes(MARKER)) return null;
  const at = source.indexOf(TARGET);
  if (at < 0 || source.indexOf(TARGET, at + 1) >= 0) {
    throw new Error(
      `${file}: the download pipe this patch guards was not found once; ` +
        'check whether this Baileys version forwards download errors, then update the patch',
    );
  }
  return source.replace(TARGET, REPLACEMENT);
}

/** 'patched', 'already' or 'absent' (Baileys not installed). */
export function patchBaileys() {
  const file = mediaModulePath();
  if (!file) return 'absent';
  const patched = patchSource(readFileSync(file, 'utf8'), file);
  if (patched === null) return 'already';
  writeFileSync(file, patched);
  return 'patched';
}

if (process.argv[1] === import.meta.filename) {
  try {
    const outcome = patchBaileys();
    if (outcome === 'patched') console.log('baileys: download errors now reach the reader');
  } catch (error) {
    console.error(`baileys patch failed: ${error.message}`);
    process.exit(1);
  }
}
