import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Site } from './network.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(REPO_ROOT, 'session-worker/src/main.ts');

/** tsx compiles the worker, its SQLite store opens, the API listens. */
export const WORKER_START_MS = 60_000;
/** SIGTERM: every socket ends, creds are flushed, leases released. */
const WORKER_STOP_MS = 20_000;

/**
 * The session worker's own entry (`npm run start -w session-worker`) as a
 * process on the cloud host's network: `ip netns exec` runs it inside the
 * cloud site, so everything it opens (WhatsApp direct, the room) comes from
 * the cloud's address. Its log lines go to a file.
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(site: Site, port: number, env: Record<string, string>, logFile: string) {
    this.url = `http://${site.address}:${port}`;
    this.child = spawn(
      site.wrapper[0]!,
      [...site.wrapper.slice(1), process.execPath, '--import', 'tsx', MAIN],
      {
        cwd: join(REPO_ROOT, 'session-worker'),
        env: { ...process.env, ...env, PASARELA_HOST: '0.0.0.0', PASARELA_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const log = createWriteStream(logFile);
    this.child.stdout!.pipe(log, { end: false });
    this.child.stderr!.pipe(log, { end: false });
    this.exited = new Promise((done) =>
      this.child.once('exit', (code, signal) => {
        log.end();
        done({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once `/readyz` answers 200 from this host, across the cloud's veth. */
  async ready(): Promise<number> {
    const started = Date.now();
    for (;;) {
      if (!this.running) throw new Error(`the worker exited (${(await this.exited).code})`);
      const ok = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.ok;
        },
        () => false,
      );
      if (ok) return Date.now() - started;
      if (Date.now() - started > WORKER_START_MS) {
        throw new Error(`the worker did not answer /readyz within ${WORKER_START_MS} ms`);
      }
      await new Promise((done) => setTimeout(done, 200));
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), WORKER_STOP_MS);
    await this.exited;
    clearTimeout(timer);
  }
}
