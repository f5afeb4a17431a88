/**
 * `npm run build -w @pasarela/extension`: the extension for this
 * deployment's page origins (extension.config.json, or
 * PASARELA_EXTENSION_PAGE_ORIGINS), into dist/ (or
 * PASARELA_EXTENSION_OUT_DIR): unpacked/, the Web Store zip, and for
 * self-hosting the signed .crx with its update.xml.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  buildExtension,
  EXTENSION_DEFAULTS,
  ExtensionError,
  loadExtensionConfig,
} from '../src/index.js';

const root = resolve(import.meta.dirname, '..');

try {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const config = await loadExtensionConfig({ root, env: process.env });
  const result = await buildExtension({
    config,
    version: pkg.version,
    localesDir: join(root, 'locales'),
    outDir: resolve(root, process.env.PASARELA_EXTENSION_OUT_DIR ?? EXTENSION_DEFAULTS.outDir),
  });
  const lines = [
    `page origins: ${config.pageOrigins.map((origin) => origin.origin).join(', ')}`,
    `unpacked:     ${result.unpackedDir} (${result.files.length} files)`,
    `web store:    ${result.zipPath}`,
  ];
  if (result.selfHosted) {
    lines.push(
      `self-hosted:  ${result.selfHosted.crxPath} (id ${result.selfHosted.extensionId})`,
      `update:       ${result.selfHosted.updateManifestPath}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} catch (error) {
  if (!(error instanceof ExtensionError)) throw error;
  process.stderr.write(`extension build refused: ${error.message} [${error.code}]\n`);
  process.exitCode = 1;
}
