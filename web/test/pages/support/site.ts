import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

const CONFIG = resolve(import.meta.dirname, '../../../vite.config.ts');

/**
 * The pages as they ship: the production Vite build from web/vite.config.ts,
 * into a folder of this test file's own (files run in parallel).
 */
export async function buildSite(): Promise<{ dir: string; ms: number; remove(): Promise<void> }> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'pasarela-site-'));
  await build({
    configFile: CONFIG,
    logLevel: 'silent',
    build: { outDir: dir, emptyOutDir: true, sourcemap: false },
  });
  return { dir, ms: Date.now() - started, remove: () => rm(dir, { recursive: true, force: true }) };
}
