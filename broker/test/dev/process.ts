import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
const BIN = {
  wrangler: join(REPO_ROOT, 'broker/node_modules/.bin/wrangler'),
  partykit: join(REPO_ROOT, 'node_modules/.bin/partykit'),
};

/** A free loopback port, found by letting the kernel pick one. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export type Runtime = 'wrangler' | 'partykit';

export interface DevServerOptions {
  runtime: Runtime;
  /** A wrangler configuration other than the top-level wrangler.toml, relative to the repo. */
  wranglerConfig?: string;
  vars: Record<string, string>;
  /** Upper bound for start-up; both runtimes bundle first. */
  startTimeoutMs: number;
}

/**
 * A real `wrangler dev` or `partykit dev` process on a loopback port of its
 * own, with its storage in a temporary folder that survives restarts of the
 * process and is removed at the end.
 */
export class DevServer {
  readonly options: DevServerOptions;
  port = 0;
  #inspectorPort = 0;
  #child: ChildProcess | null = null;
  #stateDir = '';
  /** Everything the process printed, for the no-token-in-logs check. */
  output = '';

  constructor(options: DevServerOptions) {
    this.options = options;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<number> {
    if (!this.#stateDir) {
      this.#stateDir = await mkdtemp(join(tmpdir(), `broker-${this.options.runtime}-`));
      this.port = await freePort();
      this.#inspectorPort = await freePort();
    }
    const started = Date.now();
    this.#child = await this.#spawn();
    const deadline = started + this.options.startTimeoutMs;
    for (;;) {
      try {
        const response = await fetch(`${this.origin}/health`);
        await response.arrayBuffer();
        return Date.now() - started;
      } catch {
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(
            `${this.options.runtime} dev did not answer within ` +
              `${this.options.startTimeoutMs} ms:\n${this.output.slice(-2_000)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async #spawn(): Promise<ChildProcess> {
    const { runtime, vars } = this.options;
    let args: string[];
    if (runtime === 'wrangler') {
      const envFile = join(this.#stateDir, 'vars.env');
      await writeFile(
        envFile,
        Object.entries(vars)
          .map(([key, value]) => `${key}='${value}'\n`)
          .join(''),
      );
      args = [
        'dev',
        '--config',
        this.options.wranglerConfig ?? 'wrangler.toml',
        '--ip',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--inspector-port',
        String(this.#inspectorPort),
        '--persist-to',
        join(this.#stateDir, 'state'),
        '--env-file',
        envFile,
        '--show-interactive-dev-session=false',
        '--log-level',
        'warn',
      ];
    } else {
      args = [
        'dev',
        '--port',
        String(this.port),
        '--persist',
        join(this.#stateDir, 'state'),
        '--disable-request-cf-fetch',
        '--no-hotkeys',
        ...Object.entries(vars).flatMap(([key, value]) => ['--var', `${key}=${value}`]),
      ];
    }
    const child = spawn(BIN[runtime], args, {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
    });
    const collect = (chunk: Buffer) => {
      this.output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return child;
  }

  /** Stops the whole process group and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await exited;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.#stateDir) await rm(this.#stateDir, { recursive: true, force: true });
  }
}
