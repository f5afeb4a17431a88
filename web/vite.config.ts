import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The restaurant pages and the inspection dashboard, built as one static
 * site (`npm run build:pages -w @pasarela/web`) into `dist/site`, which the
 * backend stand-in serves under short names (`/dashboard`, `/kds`,
 * `/whatsapp-connect`, `/admin`). The peer test harness bundles itself with
 * its own inline configuration and does not read this file.
 */
const SRC = resolve(import.meta.dirname, 'src');

/** Entry name to its HTML file, relative to `src`. */
export const SITE_ENTRIES = {
  dashboard: 'pages/dashboard.html',
  kds: 'pages/kds.html',
  'whatsapp-connect': 'pages/whatsapp-connect.html',
  admin: 'dashboard/index.html',
} as const;

export const SITE_OUT_DIR = resolve(import.meta.dirname, 'dist/site');

export default defineConfig({
  root: SRC,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: SITE_OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      input: Object.fromEntries(
        Object.entries(SITE_ENTRIES).map(([name, file]) => [name, resolve(SRC, file)]),
      ),
    },
  },
  server: {
    // `vite` for page work: the backend stand-in answers /backend/*.
    proxy: { '/backend': process.env['PASARELA_BACKEND_URL'] ?? 'http://127.0.0.1:8790' },
  },
});
