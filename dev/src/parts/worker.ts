import { join } from 'node:path';
import { GiveUp, pollUntil } from '../http.js';
import type { DevOptions } from '../options.js';
import { DEV_DEFAULTS, REPO_ROOT } from '../options.js';
import type { ProcessSet, StackChild } from '../processes.js';
import type { DevSecrets } from '../secrets.js';
import { tokenKeysJson } from '../secrets.js';
import type { StandinInfo } from './standin.js';

/**
 * The worker's environment in the local stack: its SQLite file in the data
 * folder, WhatsApp's names sent to the stand-in (a development host map,
 * which `NODE_ENV=production` refuses), the stand-in's authority trusted,
 * the local room, and new tenants on `prefer-tunnel`.
 */
export function workerEnv(
  options: DevOptions,
  secrets: DevSecrets,
  standin: StandinInfo,
  roomUrl: string,
): Record<string, string> {
  return {
    NODE_ENV: 'development',
    PASARELA_ADMIN_KEY: secrets.adminKey,
    PASARELA_HOST: '127.0.0.1',
    PASARELA_PORT: String(options.workerPort),
    PASARELA_STORE: 'sqlite',
    PASARELA_SQLITE_PATH: join(options.dataDir, 'pasarela.db'),
    PASARELA_HOST_MAP: JSON.stringify(standin.hostMap),
    PASARELA_CA_FILE: standin.caPath,
    PASARELA_DEFAULT_POLICY: 'prefer-tunnel',
    PASARELA_ROOM_URL: roomUrl.replace(/^http/, 'ws'),
    TOKEN_KEYS: tokenKeysJson(secrets),
    TOKEN_SIGNING_KEY: secrets.tokenKeyId,
    PASARELA_TUNNEL_SETTINGS: JSON.stringify(DEV_DEFAULTS.tunnelSettings),
    PASARELA_CONTROL: 'none',
  };
}

/** The session worker's own entry, as `npm run start -w session-worker` runs it. */
export async function startWorker(
  processes: ProcessSet,
  options: DevOptions,
  env: Record<string, string>,
): Promise<{ child: StackChild; url: string; startMs: number }> {
  const started = Date.now();
  const child = processes.start({
    name: 'worker',
    command: process.execPath,
    args: ['--import', 'tsx', join(REPO_ROOT, 'session-worker/src/main.ts')],
    cwd: join(REPO_ROOT, 'session-worker'),
    env: { ...process.env, ...env },
    logFile: join(options.dataDir, 'logs', 'worker.log'),
  });
  const url = `http://127.0.0.1:${options.workerPort}`;
  await pollUntil(
    `the worker to answer ${url}/readyz`,
    async () => {
      if (!child.running) throw new GiveUp(`the worker exited:\n${child.tail()}`);
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return response.ok ? true : undefined;
    },
    DEV_DEFAULTS.workerStartMs,
  );
  return { child, url, startMs: Date.now() - started };
}
