import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GiveUp, pollUntil } from '../http.js';
import type { DevOptions } from '../options.js';
import { DEV_DEFAULTS, REPO_ROOT } from '../options.js';
import type { ProcessSet, StackChild } from '../processes.js';

const SITE_DIR = join(REPO_ROOT, 'web/dist/site');
/** What the pages are built from. */
const SOURCES = ['web/src', 'shared/src', 'web/vite.config.ts', 'web/package.json'];
/** What the build writes, one file per page. */
const OUTPUTS = [
  'pages/dashboard.html',
  'pages/kds.html',
  'pages/whatsapp-connect.html',
  'dashboard/index.html',
];

async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of await readdir(path)) {
    latest = Math.max(latest, await newest(join(path, entry)));
  }
  return latest;
}

/** True when a page's built file is missing or older than any source. */
export async function pagesAreStale(): Promise<boolean> {
  let built = Infinity;
  try {
    for (const file of OUTPUTS) built = Math.min(built, (await stat(join(SITE_DIR, file))).mtimeMs);
  } catch {
    return true;
  }
  for (const source of SOURCES) {
    if ((await newest(join(REPO_ROOT, source))) > built) return true;
  }
  return false;
}

/** `npm run build:pages -w @pasarela/web`, when the built site is missing or stale. */
export async function buildPages(
  processes: ProcessSet,
  options: DevOptions,
): Promise<{ built: boolean; ms: number }> {
  const started = Date.now();
  if (!(await pagesAreStale())) return { built: false, ms: 0 };
  const exit = await processes.runToEnd({
    name: 'pages-build',
    command: 'npm',
    args: ['run', 'build:pages', '-w', '@pasarela/web'],
    cwd: REPO_ROOT,
    env: { ...process.env },
    logFile: join(options.dataDir, 'logs', 'pages-build.log'),
  });
  if (exit.code !== 0) {
    throw new Error(`the pages build failed (${exit.signal ?? exit.code}):\n${exit.tail}`);
  }
  return { built: true, ms: Date.now() - started };
}

export interface BackendSettings {
  readonly tenant: string;
  readonly restaurant: string;
  readonly tenantKey: string;
  readonly workerUrl: string;
  readonly roomUrl: string;
  readonly devHostMap: Record<string, string>;
}

/**
 * The restaurant's backend (the backend stand-in): it serves the built
 * pages and the inspection dashboard over plain http on loopback (an
 * `http://localhost` page is a secure context), keeps the tenant key, and
 * hands the pages a development host map to the stand-in's plain endpoints.
 */
export async function startBackend(
  processes: ProcessSet,
  options: DevOptions,
  settings: BackendSettings,
): Promise<{ child: StackChild; url: string }> {
  const child = processes.start({
    name: 'pages',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'web/src/backend-standin/main.ts')],
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PASARELA_BACKEND_TENANT: settings.tenant,
      PASARELA_BACKEND_RESTAURANT: settings.restaurant,
      PASARELA_BACKEND_TENANT_KEY: settings.tenantKey,
      PASARELA_BACKEND_WORKER_URL: settings.workerUrl,
      PASARELA_BACKEND_ROOM: new URL(settings.roomUrl).host,
      PASARELA_BACKEND_ROOM_PROTOCOL: 'ws',
      PASARELA_BACKEND_MODE: 'development',
      PASARELA_BACKEND_DEV_HOST_MAP: JSON.stringify(settings.devHostMap),
      PASARELA_BACKEND_HOST: '127.0.0.1',
      PASARELA_BACKEND_PORT: String(options.pagesPort),
      PASARELA_BACKEND_SITE_DIR: SITE_DIR,
    },
    logFile: join(options.dataDir, 'logs', 'pages.log'),
  });
  const url = `http://localhost:${options.pagesPort}`;
  await pollUntil(
    `the pages to answer ${url}/backend/config`,
    async () => {
      if (!child.running) throw new GiveUp(`the backend stand-in exited:\n${child.tail()}`);
      const response = await fetch(`http://127.0.0.1:${options.pagesPort}/backend/config`, {
        signal: AbortSignal.timeout(2_000),
      });
      await response.arrayBuffer();
      return response.ok ? true : undefined;
    },
    DEV_DEFAULTS.pagesStartMs,
  );
  return { child, url };
}
