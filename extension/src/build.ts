import { createPrivateKey } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExtensionConfig } from './config.js';
import { extensionIdOf, packCrx, updateManifest } from './crx.js';
import { ExtensionError } from './errors.js';
import { extensionFiles } from './files.js';
import { readLocales } from './locales.js';
import { zipExtension } from './zip.js';

export interface BuildOptions {
  readonly config: ExtensionConfig;
  readonly version: string;
  /** Where `es.json` and `en.json` are. */
  readonly localesDir: string;
  /** Emptied and filled: `unpacked/`, the zip, and for self-hosting the `.crx` and `update.xml`. */
  readonly outDir: string;
}

export interface BuildResult {
  /** The extension as Chromium loads it ("Load unpacked", `--load-extension`). */
  readonly unpackedDir: string;
  /** The same files zipped, for the Chrome Web Store. */
  readonly zipPath: string;
  readonly files: readonly string[];
  readonly selfHosted: {
    readonly crxPath: string;
    readonly updateManifestPath: string;
    readonly extensionId: string;
  } | null;
}

export const PACKAGE_NAME = 'pasarela-extension';

/**
 * Builds the extension from its configuration: the unpacked folder, the zip and, if asked, a CRX.
 */
export async function buildExtension(options: BuildOptions): Promise<BuildResult> {
  const { config, version, outDir } = options;
  if (!/^\d+(\.\d+){0,3}$/.test(version)) {
    throw new ExtensionError('bad_config', `"${version}" is not a Chromium version`, 'version');
  }
  const files = extensionFiles(config, version, await readLocales(options.localesDir));
  await rm(outDir, { recursive: true, force: true });
  const unpackedDir = join(outDir, 'unpacked');
  for (const [path, bytes] of files) {
    const target = join(unpackedDir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  const zip = zipExtension(files);
  const zipPath = join(outDir, `${PACKAGE_NAME}-${version}.zip`);
  await writeFile(zipPath, zip);
  let selfHosted: BuildResult['selfHosted'] = null;
  if (config.selfHosting) {
    const pem = await readFile(config.selfHosting.keyFile, 'utf8').catch(() => {
      throw new ExtensionError('bad_config', 'cannot read the key file', 'selfHosting.keyFile');
    });
    const key = createPrivateKey(pem);
    const crxPath = join(outDir, `${PACKAGE_NAME}-${version}.crx`);
    await writeFile(crxPath, packCrx(zip, key));
    const extensionId = extensionIdOf(key);
    const updateManifestPath = join(outDir, 'update.xml');
    await writeFile(
      updateManifestPath,
      updateManifest(extensionId, version, config.selfHosting.crxUrl),
    );
    selfHosted = { crxPath, updateManifestPath, extensionId };
  }
  return { unpackedDir, zipPath, files: [...files.keys()], selfHosted };
}
