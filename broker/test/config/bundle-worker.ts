import { buildSync } from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The compatibility date the deployed Worker runs with, from the top-level wrangler.toml. */
export function wranglerCompatibilityDate(): string {
  const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
  const match = /^compatibility_date\s*=\s*"([0-9-]+)"/m.exec(toml);
  if (!match?.[1]) throw new Error('wrangler.toml has no compatibility_date');
  return match[1];
}

/**
 * Bundles the production Worker (the `main` of wrangler.toml) the way
 * wrangler would, into a temporary file. The suite runs it as a Worker of
 * its own beside the test runner: the pool's wrapper around Durable Objects
 * of the test Worker awaits a module import before every event, which lets
 * two WebSocket messages of one socket reach the object out of order.
 */
export function bundleWorker(): string {
  const outfile = join(mkdtempSync(join(tmpdir(), 'broker-workerd-')), 'worker.mjs');
  buildSync({
    entryPoints: [join(ROOT, 'broker/src/workers/index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    logLevel: 'error',
  });
  return outfile;
}
