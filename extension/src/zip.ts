import { unzipSync, zipSync } from 'fflate';
import type { Zippable } from 'fflate';
import type { ExtensionFiles } from './files.js';

/** A fixed timestamp (the zip format's DOS time starts in 1980), so a build is reproducible. */
const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

/**
 * The Web Store's upload format: a zip with `manifest.json` at its root.
 * Entries keep the files' order and a fixed time, so the same sources
 * give the same bytes.
 */
export function zipExtension(files: ExtensionFiles): Uint8Array {
  const tree: Zippable = {};
  for (const [path, bytes] of files) tree[path] = [bytes, { level: 9, mtime: FIXED_MTIME }];
  return zipSync(tree);
}

/**
 * Reads a zip back into its files (for the tests, and to load the shipped
 * zip into Chromium); directory entries, which other packers write, are left out.
 */
export function unzipExtension(zip: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(zip)).filter(([path]) => !path.endsWith('/')));
}
