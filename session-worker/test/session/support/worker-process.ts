import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Standin } from '@pasarela/standin';
import { sessionVariable } from '../../../src/service/env.js';
import type { SessionConfig } from '../../../src/session/index.js';
import { TEST_SESSION_SETTINGS } from './harness.js';

/** One line the worker wrote on its control channel, with the time the test read it. */
export type ControlLine = Record<string, unknown> & { ev: string; readAt: number };

const MAIN = fileURLToPath(new URL('../../../src/main.ts', import.meta.url));

/** The admin API key of test workers (the worker refuses to start without one). */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

/** The environment a test worker needs to reach the stand-in, with the test timings. */
export function workerEnv(
  standin: Pick<Standin, 'hostMap' | 'caPath'>,
  store: Record<string, string>,
  settings: Record<string, number> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    PASARELA_ADMIN_KEY: TEST_ADMIN_KEY,
    PASARELA_PORT: '0',
    PASARELA_HOST: '127.0.0.1',
    PASARELA_HOST_MAP: JSON.stringify(standin.hostMap),
    PASARELA_CA_FILE: standin.caPath,
    PASARELA_LOG_LEVEL: 'debug',
    ...store,
  };
  for (const [field, value] of Object.entries({ ...TEST_SESSION_SETTINGS, ...settings })) {
    env[sessionVariable(field as keyof SessionConfig)] = String(value);
  }
  return env;
}

/**
 * The worker's own entry (`src/main.ts`) run as a child process through tsx,
 * driven over its stdio control channel. Tests signal and kill it by PID.
 */
export class WorkerProcess {
  readonly lines: ControlLine[] = [];
  /** Every log line the worker wrote (stderr in control mode). */
  readonly logs: string[] = [];
  readonly process: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly spawnedAt = Date.now();
  private nextId = 0;
  private waiters = new Set<() => void>();

  constructor(env: Record<string, string>) {
    this.process = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      env: { ...process.env, ...env, PASARELA_CONTROL: 'stdio' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.process.stderr! }).on('line', (line) => this.logs.push(line));
    createInterface({ input: this.process.stdout! }).on('line', (text) => {
      try {
        this.lines.push({ ...(JSON.parse(text) as { ev: string }), readAt: Date.now() });
      } catch {
        this.logs.push(`[stdout] ${text}`);
      }
      this.wake();
    });
    this.process.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        this.wake();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Sends a control command and resolves with its result; rejects with the coded error. */
  async request(op: string, fields: Record<string, unknown> = {}, timeoutMs = 30_000) {
    const id = ++this.nextId;
    this.process.stdin!.write(`${JSON.stringify({ id, op, ...fields })}\n`);
    const reply = await this.waitFor(
      (l) => l.ev === 'reply' && l['id'] === id,
      timeoutMs,
      `reply to ${op}`,
    );
    if (reply['ok'] !== true) {
      const error = reply['error'] as { code: string; message: string };
      throw Object.assign(new Error(error.message), { code: error.code });
    }
    return reply['result'];
  }

  /** The first line from `from` on matching `match`. */
  async waitFor(
    match: (line: ControlLine) => boolean,
    timeoutMs: number,
    what: string,
    from = 0,
  ): Promise<ControlLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found) return found;
      if (!this.running) {
        throw new Error(`worker ${this.pid} exited before ${what}; log tail:\n${this.tail()}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `worker ${this.pid}: no ${what} within ${timeoutMs} ms; log tail:\n${this.tail()}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1_000));
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
      });
    }
  }

  /** Resolves when `tenant` reaches `status`. */
  reach(tenant: string, status: string, timeoutMs: number, from = 0): Promise<ControlLine> {
    return this.waitFor(
      (l) => l.ev === 'transition' && l['tenant'] === tenant && l['to'] === status,
      timeoutMs,
      `${tenant} → ${status}`,
      from,
    );
  }

  /** Status changes of `tenant`, as `to(reason)`. */
  statuses(tenant: string): string[] {
    return this.lines
      .filter((l) => l.ev === 'transition' && l['tenant'] === tenant)
      .map((l) => `${String(l['to'])}(${String(l['reason'])})`);
  }

  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  /** Kills the worker if it still runs; for clean-up. */
  async kill(): Promise<void> {
    if (this.running) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // Already gone between the check and the kill.
      }
    }
    await this.exited;
  }

  tail(lines = 15): string {
    return this.logs.slice(-lines).join('\n');
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
