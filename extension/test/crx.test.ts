import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildExtension,
  extensionIdOf,
  packCrx,
  parseExtensionConfig,
  readCrx,
  unzipExtension,
  updateManifest,
} from '../src/index.js';
import type { BuildResult } from '../src/index.js';

const run = promisify(execFile);
const LOCALES_DIR = join(import.meta.dirname, '../locales');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
let dir = '';
let result: BuildResult;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pasarela-extension-crx-'));
  const keyFile = join(dir, 'publisher.pem');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const config = parseExtensionConfig({
    pageOrigins: ['https://orders.example.com'],
    selfHosting: {
      updateUrl: 'https://ext.example.com/pasarela/update.xml',
      crxUrl: 'https://ext.example.com/pasarela/pasarela-extension-0.1.0.crx',
      keyFile,
    },
  });
  result = await buildExtension({
    config,
    version: '0.1.0',
    localesDir: LOCALES_DIR,
    outDir: join(dir, 'out'),
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a self-hosted build', () => {
  it('signs the Web Store zip as a CRX3 whose proof holds for the publisher’s key', async () => {
    const crx = readCrx(await readFile(result.selfHosted!.crxPath));
    expect(crx.verified).toBe(true);
    expect(crx.extensionId).toBe(extensionIdOf(privateKey));
    expect(crx.extensionId).toMatch(/^[a-p]{32}$/);
    expect(crx.zip.equals(await readFile(result.zipPath))).toBe(true);
  });

  it('writes the update manifest pointing at the CRX', async () => {
    const id = extensionIdOf(privateKey);
    expect(await readFile(result.selfHosted!.updateManifestPath, 'utf8')).toBe(
      `<?xml version='1.0' encoding='UTF-8'?>\n` +
        `<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n` +
        `  <app appid='${id}'>\n` +
        `    <updatecheck ` +
        `codebase='https://ext.example.com/pasarela/pasarela-extension-0.1.0.crx' ` +
        `version='0.1.0' />\n` +
        `  </app>\n` +
        `</gupdate>\n`,
    );
    const manifest = JSON.parse(await readFile(join(result.unpackedDir, 'manifest.json'), 'utf8'));
    expect(manifest.update_url).toBe('https://ext.example.com/pasarela/update.xml');
  });
});

describe('a CRX3', () => {
  it('fails its proof when one byte of the zip changes', async () => {
    const crx = packCrx(await readFile(result.zipPath), privateKey);
    const at = crx.length - 30;
    crx[at] = crx[at]! ^ 0x01;
    expect(readCrx(crx).verified).toBe(false);
  });

  it('packed by Chromium itself reads back with the id and proof this packer gives', async () => {
    const home = join(dir, 'chromium-home');
    const source = join(dir, 'chromium-pack');
    await cp(result.unpackedDir, source, { recursive: true });
    const keyFile = join(dir, 'publisher.pem');
    // Chromium's own packer (`--pack-extension`), run offline in a throw-away HOME.
    await run(
      '/usr/bin/chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${join(home, 'profile')}`,
        `--pack-extension=${source}`,
        `--pack-extension-key=${keyFile}`,
      ],
      { env: { ...process.env, HOME: home }, timeout: 60_000 },
    );
    const packed = readCrx(await readFile(`${source}.crx`));
    expect(packed.verified).toBe(true);
    expect(packed.extensionId).toBe(extensionIdOf(privateKey));
    expect([...unzipExtension(packed.zip).keys()].sort()).toEqual(
      [...unzipExtension(await readFile(result.zipPath)).keys()].sort(),
    );
  });
});

describe('the update manifest', () => {
  it('escapes what it is given', () => {
    expect(
      updateManifest('a'.repeat(32), '1.0', "https://x.example.com/p.crx?a=1&b='2'"),
    ).toContain("codebase='https://x.example.com/p.crx?a=1&amp;b=&apos;2&apos;'");
  });
});
