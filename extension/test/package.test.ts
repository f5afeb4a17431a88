import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExtension, parseExtensionConfig, unzipExtension } from '../src/index.js';
import type { BuildResult } from '../src/index.js';

const LOCALES_DIR = join(import.meta.dirname, '../locales');
const config = parseExtensionConfig({ pageOrigins: ['https://orders.example.com'] });
let dir = '';
let result: BuildResult;

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pasarela-extension-build-'));
  result = await buildExtension({
    config,
    version: '0.1.0',
    localesDir: LOCALES_DIR,
    outDir: join(dir, 'a'),
  });
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the build', () => {
  it(
    'writes the manifest, one ruleset, two languages ' + 'and four icons, and nothing executable',
    async () => {
      expect(await listFiles(result.unpackedDir)).toEqual([
        '_locales/en/messages.json',
        '_locales/es/messages.json',
        'icons/icon-128.png',
        'icons/icon-16.png',
        'icons/icon-32.png',
        'icons/icon-48.png',
        'manifest.json',
        'rules.json',
      ]);
      expect(result.zipPath).toBe(join(dir, 'a', 'pasarela-extension-0.1.0.zip'));
      expect(result.selfHosted).toBeNull();
    },
  );

  it('zips exactly the unpacked files, manifest at the root, for the Web Store', async () => {
    const zipped = unzipExtension(await readFile(result.zipPath));
    expect([...zipped.keys()].sort()).toEqual(await listFiles(result.unpackedDir));
    for (const [path, bytes] of zipped) {
      expect(Buffer.from(bytes).equals(await readFile(join(result.unpackedDir, path)))).toBe(true);
    }
  });

  it('gives the same zip, byte for byte, from the same sources', async () => {
    const again = await buildExtension({
      config,
      version: '0.1.0',
      localesDir: LOCALES_DIR,
      outDir: join(dir, 'b'),
    });
    const [first, second] = await Promise.all([readFile(result.zipPath), readFile(again.zipPath)]);
    expect(first.equals(second)).toBe(true);
  });

  it('draws each icon as an RGBA PNG of its size', async () => {
    for (const size of [16, 32, 48, 128]) {
      const png = await readFile(join(result.unpackedDir, `icons/icon-${size}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20), png[25]]).toEqual([size, size, 6]);
    }
  });

  it('refuses a version Chromium would not take', async () => {
    await expect(
      buildExtension({
        config,
        version: '1.0.0-beta',
        localesDir: LOCALES_DIR,
        outDir: join(dir, 'c'),
      }),
    ).rejects.toMatchObject({ code: 'bad_config', field: 'version' });
  });
});
