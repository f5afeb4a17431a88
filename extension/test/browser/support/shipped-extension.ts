import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_NAME, unzipExtension } from '../../../src/index.js';
import type { Manifest } from '../../../src/index.js';
import type { PlainChromium } from '../../../../web/test/browser/support/cdp.js';

const run = promisify(execFile);
const WORKSPACE = join(import.meta.dirname, '../../..');
const REPO = join(WORKSPACE, '..');

export interface ShippedExtension {
  /** The Web Store zip the build wrote. */
  readonly zipPath: string;
  /** That zip, extracted: what a browser installs. */
  readonly dir: string;
  readonly manifest: Manifest;
  readonly buildMs: number;
  remove(): Promise<void>;
}

/**
 * Builds the extension with its one npm script for these page origins,
 * into a temporary folder, and extracts the Web Store zip it wrote: the
 * extension exactly as it ships.
 */
export async function buildShipped(pageOrigins: readonly string[]): Promise<ShippedExtension> {
  const root = await mkdtemp(join(tmpdir(), 'pasarela-extension-suite-'));
  const started = Date.now();
  await run('npm', ['run', 'build', '-w', '@pasarela/extension'], {
    cwd: REPO,
    env: {
      ...process.env,
      PASARELA_EXTENSION_PAGE_ORIGINS: pageOrigins.join(','),
      PASARELA_EXTENSION_OUT_DIR: join(root, 'dist'),
    },
  });
  const buildMs = Date.now() - started;
  const { version } = JSON.parse(await readFile(join(WORKSPACE, 'package.json'), 'utf8')) as {
    version: string;
  };
  const zipPath = join(root, 'dist', `${PACKAGE_NAME}-${version}.zip`);
  const dir = join(root, 'installed');
  for (const [path, bytes] of unzipExtension(await readFile(zipPath))) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  return {
    zipPath,
    dir,
    manifest,
    buildMs,
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/**
 * Installs an unpacked extension into the running browser with DevTools'
 * `Extensions.loadUnpacked` (what "Load unpacked" in chrome://extensions
 * does), returning its id.
 */
export async function installExtension(browser: PlainChromium, dir: string): Promise<string> {
  const { id } = await browser.cdp.call<{ id: string }>('Extensions.loadUnpacked', { path: dir });
  return id;
}

/** Removes it again (`Extensions.uninstall`), as staff removing it from chrome://extensions. */
export async function uninstallExtension(browser: PlainChromium, id: string): Promise<void> {
  await browser.cdp.call('Extensions.uninstall', { id });
}

/** The extensions the browser has, by DevTools' own list. */
export async function installedExtensions(
  browser: PlainChromium,
): Promise<{ id: string; name: string; enabled: boolean }[]> {
  const { extensions } = await browser.cdp.call<{
    extensions: { id: string; name: string; enabled: boolean }[];
  }>('Extensions.getExtensions');
  return extensions;
}
