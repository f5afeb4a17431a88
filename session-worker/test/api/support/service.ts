import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServiceEnv, type ServiceSettings } from '../../../src/config/index.js';
import { createLogger } from '../../../src/ops/logger.js';
import { sessionVariable } from '../../../src/service/env.js';
import {
  startService,
  type Service,
  type ServiceExtensions,
} from '../../../src/service/service.js';
import type { SessionConfig } from '../../../src/session/index.js';
import { LogSink, TEST_SESSION_SETTINGS } from '../../session/support/harness.js';
import { ApiClient, SseReader } from './client.js';
import type { StandinProcess } from './standin-process.js';

/**
 * Without a stand-in, WhatsApp's names lead to a closed loopback port: a
 * test must never reach the real service.
 */
const NOWHERE = {
  'web.whatsapp.com': '127.0.0.1:1',
  '*.whatsapp.net': '127.0.0.1:1',
  '*.whatsapp.com': '127.0.0.1:1',
};

export const ADMIN_KEY = 'admin-key-for-tests-0123456789-abcdefghijkl';

export interface TestService {
  readonly service: Service;
  readonly settings: ServiceSettings;
  readonly admin: ApiClient;
  readonly logs: LogSink;
  readonly folder: string;
  /** Opens an SSE stream with `key` (the admin key by default). */
  events(query?: string, key?: string, headers?: Record<string, string>): SseReader;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  /** Variables over the test defaults. */
  readonly env?: Record<string, string>;
  /** Extra PEM authorities the worker trusts (test media and webhook servers). */
  readonly extraCa?: readonly string[];
  /** Extra host-map entries besides the stand-in's. */
  readonly hostMap?: Record<string, string>;
  readonly extensions?: ServiceExtensions;
  /**
   * Route the process console into the worker's log, as `src/main.ts` does
   * (default true). A suite that prints its figures with console.log keeps it.
   */
  readonly captureConsole?: boolean;
}

/**
 * The whole worker in this process on a fresh SQLite file, its WhatsApp
 * names mapped to the stand-in (when there is one), configured through the same environment
 * reader as `src/main.ts`, logging every line (debug level) into `logs`.
 */
export async function startTestService(
  standin: Pick<StandinProcess, 'hostMap' | 'caPath'> | null,
  options: TestServiceOptions = {},
): Promise<TestService> {
  const folder = await mkdtemp(join(tmpdir(), 'pasarela-api-'));
  const caFiles = standin ? [standin.caPath] : [];
  for (const [i, pem] of (options.extraCa ?? []).entries()) {
    const path = join(folder, `extra-ca-${i}.pem`);
    await writeFile(path, pem);
    caFiles.push(path);
  }
  const env: Record<string, string> = {
    PASARELA_ADMIN_KEY: ADMIN_KEY,
    PASARELA_PORT: '0',
    PASARELA_HOST: '127.0.0.1',
    PASARELA_SQLITE_PATH: join(folder, 'worker.db'),
    PASARELA_HOST_MAP: JSON.stringify({ ...(standin?.hostMap ?? NOWHERE), ...options.hostMap }),
    PASARELA_CA_FILE: caFiles.join(','),
    PASARELA_LOG_LEVEL: 'debug',
    PASARELA_WEBHOOK_POLL_MS: '200',
    PASARELA_SSE_POLL_MS: '200',
    ...options.env,
  };
  for (const [field, value] of Object.entries(TEST_SESSION_SETTINGS)) {
    env[sessionVariable(field as keyof SessionConfig)] ??= String(value);
  }
  const settings = readServiceEnv(env);
  const logs = new LogSink();
  const logger = createLogger({ level: 'debug', destination: logs, secrets: settings.secrets });
  const service = await startService(settings, logger, {
    captureConsole: options.captureConsole ?? true,
    ...options.extensions,
  });
  await service.run();
  const admin = new ApiClient(service.http.url, ADMIN_KEY);
  const readers: SseReader[] = [];
  return {
    service,
    settings,
    admin,
    logs,
    folder,
    events(query = '', key = ADMIN_KEY, headers = {}) {
      const reader = new SseReader(`${service.http.url}/api/events${query}`, key, headers);
      readers.push(reader);
      return reader;
    },
    async close() {
      for (const reader of readers) reader.close();
      await service.shutdown();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
